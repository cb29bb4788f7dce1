---
"@sparkle/connector-{{slug}}": minor
---

<!-- {{banner}} -->
New connector package for the `{{type}}` connection type{{aliasesSentence}}, {{family}} family.
