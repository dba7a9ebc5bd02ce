from crosspost.cli.app import main

main()
