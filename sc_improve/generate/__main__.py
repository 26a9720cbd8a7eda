"""``python -m sc_improve.generate p2p --events 20000 --seed 2024 -o log.csv``"""

from sc_improve.generate.command import main

raise SystemExit(main())
