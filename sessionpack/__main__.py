from sessionpack.cli.app import main

main()
