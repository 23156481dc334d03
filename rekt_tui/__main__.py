from rekt_tui.cli import main

raise SystemExit(main())
