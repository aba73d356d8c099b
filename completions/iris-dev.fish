# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_iris_dev_global_optspecs
    string join \n C/directory= q/quiet v/verbose color= f/file= profile= env-file= h/help V/version
end

function __fish_iris_dev_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_iris_dev_global_optspecs) -- $cmd 2>/dev/null
    or return 0
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_iris_dev_using_subcommand
    set -l cmd (__fish_iris_dev_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c iris-dev -n "__fish_iris_dev_needs_command" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_needs_command" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_needs_command" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_needs_command" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_needs_command" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_needs_command" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "up" -d 'Start the project\'s IRIS on its own ports and wait until it answers'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "down" -d 'Stop the project\'s containers; the project keeps its ports'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "status" -d 'Show the project\'s ports, containers and URLs'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "init" -d 'Write the built-in IRIS Community compose file into the project for editing'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "port" -d 'Print the project\'s IRIS superserver port, assigning one if needed'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "env" -d 'Print the project\'s connection settings as environment variables'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "compose" -d 'Run any compose command on the project\'s stack'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "logs" -d 'Show the IRIS service\'s logs'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "session" -d 'Open an ObjectScript terminal in the IRIS service'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "open" -d 'Open the management portal in the system\'s browser'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "vscode" -d 'Write the project\'s connection into `.vscode/settings.json`'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "ports" -d 'Look at and manage the port registry'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "doctor" -d 'Check compose, the engine, the registry, the port range and the project'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "tunnel" -d 'Forward the project\'s ports from a remote ssh engine to this machine'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c iris-dev -n "__fish_iris_dev_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l port -d 'Pin the superserver port (overrides `IRIS_DEV_PORT`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l web-port -d 'Pin the web portal port (overrides `IRIS_DEV_WEB_PORT`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l bind -d 'Host address to publish on [default: 127.0.0.1]' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l service -d 'The compose service that runs IRIS, when iris-dev cannot tell' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l wait-timeout -d 'Seconds to wait for IRIS to answer' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l isolate -d 'Which host ports get per-project numbers [default: from `x-iris-dev`, else iris]' -r -f -a "iris\t'IRIS\'s superserver and web ports'
all\t'Every fixed host port of every service'"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l no-wait -d 'Return once compose has started the containers'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -l dry-run -d 'Print the override file and the compose command, and change nothing'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand up" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l all -d 'Stop every registered project\'s stack on this engine'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l volumes -d 'Also remove the project\'s volumes, IRIS\'s data with them'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -l release -d 'Give the project\'s ports back instead of keeping them'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand down" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -l json -d 'Print the status as JSON'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand status" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand init" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -l web -d 'Print the web portal port instead of the superserver port'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand port" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -l format -d 'How to write the variables' -r -f -a "shell\t'`export NAME=\'value\'` lines for `eval`'
make\t'`NAME := value` lines for a Makefile `include`'
dotenv\t'`NAME=value` lines for a `.env` file'
json\t'One JSON object'"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand env" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand compose" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand logs" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s U -l namespace -d 'The namespace to start in [default: the service\'s `IRIS_NAMESPACE`, else USER]' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand session" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -l print -d 'Print the portal\'s URL instead of opening it'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand open" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -l dry-run -d 'Print the change, and write nothing'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand vscode" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "list" -d 'List every assignment in the registry'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "inspect" -d 'Show one project\'s assignment'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "clear" -d 'Remove projects\' assignments, freeing their ports'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "prune" -d 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "who" -d 'Say who holds each port: an assignment, a container or a host process'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "reset" -d 'Move the registry aside and start an empty one'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and not __fish_seen_subcommand_from list inspect clear prune who reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -l json -d 'Print a JSON array of assignments instead of a table'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -l json -d 'Print the assignment as JSON'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -l all -d 'Clear every assignment'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from clear" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -l dry-run -d 'Say what would change, and change nothing'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -l json -d 'Print a JSON array of ports and their owners'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from who" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every assignment in the registry'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show one project\'s assignment'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove projects\' assignments, freeing their ports'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "who" -d 'Say who holds each port: an assignment, a container or a host process'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Move the registry aside and start an empty one'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand ports; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -l json -d 'Print the checks as a JSON array'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand tunnel" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s C -l directory -d 'Run as if iris-dev was started in DIR' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -l color -d 'When to colour messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s f -l file -d 'Compose file to use instead of the project\'s own (repeatable)' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -l profile -d 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)' -r
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -l env-file -d 'The `.env` file compose reads instead of the project\'s own' -r -F
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s q -l quiet -d 'Print only data and errors'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s v -l verbose -d 'Explain what iris-dev decides and why'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -s V -l version -d 'Print version'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "up" -d 'Start the project\'s IRIS on its own ports and wait until it answers'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "down" -d 'Stop the project\'s containers; the project keeps its ports'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "status" -d 'Show the project\'s ports, containers and URLs'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "init" -d 'Write the built-in IRIS Community compose file into the project for editing'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "port" -d 'Print the project\'s IRIS superserver port, assigning one if needed'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "env" -d 'Print the project\'s connection settings as environment variables'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "compose" -d 'Run any compose command on the project\'s stack'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "logs" -d 'Show the IRIS service\'s logs'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "session" -d 'Open an ObjectScript terminal in the IRIS service'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "open" -d 'Open the management portal in the system\'s browser'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "vscode" -d 'Write the project\'s connection into `.vscode/settings.json`'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "ports" -d 'Look at and manage the port registry'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "doctor" -d 'Check compose, the engine, the registry, the port range and the project'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "tunnel" -d 'Forward the project\'s ports from a remote ssh engine to this machine'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and not __fish_seen_subcommand_from up down status init port env compose logs session open vscode ports doctor tunnel completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "list" -d 'List every assignment in the registry'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "inspect" -d 'Show one project\'s assignment'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "clear" -d 'Remove projects\' assignments, freeing their ports'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "prune" -d 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "who" -d 'Say who holds each port: an assignment, a container or a host process'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand help; and __fish_seen_subcommand_from ports" -f -a "reset" -d 'Move the registry aside and start an empty one'
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions" -f
complete -c iris-dev -n "__fish_iris_dev_using_subcommand completions; and not __fish_seen_subcommand_from bash elvish fish powershell zsh" -f -a "bash\t''
elvish\t''
fish\t''
powershell\t''
zsh\t''"
