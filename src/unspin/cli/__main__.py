from unspin.cli.commands import main

main()
