"""Write ``sample_data/people/sample_skills_audit.csv``: an *invented* skills audit for the sample project.

No real person is in it. Real skills audits hold personal data and are never published, so the
sample shows what one looks like with made-up first names, spread over a few of Trafford's 2021
LSOAs: some with three or more people (their skill counts show on a public map) and some with one
or two (suppressed there, so no one can be singled out). Run it again to get the same file.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sample_data" / "people" / "sample_skills_audit.csv"

FIRST_NAMES = ("Amina", "Bob", "Carys", "Dev", "Ella", "Farid", "Grace", "Hamza", "Iris", "Jon", "Kemi", "Liam",
               "Maya", "Noor", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Una", "Vik", "Wen", "Yusuf", "Zoe")
# Head, hands and heart (Kretzmann and McKnight's capacity inventory, in plain words).
SKILLS = ("cooking for groups", "gardening", "bike repair", "sewing and mending", "DIY and small repairs",
          "knitting", "first aid", "English conversation", "maths tutoring", "computer help", "music lessons",
          "football coaching", "driving", "translation (Urdu)", "translation (Polish)", "baking", "singing",
          "listening and befriending", "dog walking", "bookkeeping", "photography", "painting and decorating")
INTERESTS = ("growing food", "local history", "youth clubs", "walking groups", "arts and crafts", "reading",
             "tea and chat", "sport", "climate action", "faith groups")
# (LSOA 2021 code, how many invented residents): a few neighbourhoods above the public threshold of 3, a few below.
NEIGHBOURHOODS = (("E01006074", 6), ("E01006075", 4), ("E01006100", 5), ("E01006131", 3), ("E01006159", 7),
                  ("E01006187", 4), ("E01006201", 2), ("E01006144", 1), ("E01006116", 5), ("E01006172", 3))


def main() -> None:
    rng = random.Random(2026)
    rows = []
    for code, n in NEIGHBOURHOODS:
        for _ in range(n):
            skills = "; ".join(rng.sample(SKILLS, rng.randint(1, 3)))
            interests = "; ".join(rng.sample(INTERESTS, rng.randint(0, 2)))
            day = date(2026, 3, 1) + timedelta(days=rng.randint(0, 200))
            rows.append({"first_name": rng.choice(FIRST_NAMES), "skills": skills, "interests": interests,
                         "consent": "yes", "consent_date": day.isoformat(), "lsoa_code": code})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} invented residents to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
