
use builtin;
use str;

set edit:completion:arg-completer[iris-dev] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'iris-dev'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'iris-dev'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand up 'Start the project''s IRIS on its own ports and wait until it answers'
            cand down 'Stop the project''s containers; the project keeps its ports'
            cand status 'Show the project''s ports, containers and URLs'
            cand init 'Write the built-in IRIS Community compose file into the project for editing'
            cand port 'Print the project''s IRIS superserver port, assigning one if needed'
            cand env 'Print the project''s connection settings as environment variables'
            cand compose 'Run any compose command on the project''s stack'
            cand logs 'Show the IRIS service''s logs'
            cand session 'Open an ObjectScript terminal in the IRIS service'
            cand open 'Open the management portal in the system''s browser'
            cand vscode 'Write the project''s connection into `.vscode/settings.json`'
            cand ports 'Look at and manage the port registry'
            cand doctor 'Check compose, the engine, the registry, the port range and the project'
            cand tunnel 'Forward the project''s ports from a remote ssh engine to this machine'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iris-dev;up'= {
            cand --port 'Pin the superserver port (overrides `IRIS_DEV_PORT`)'
            cand --web-port 'Pin the web portal port (overrides `IRIS_DEV_WEB_PORT`)'
            cand --bind 'Host address to publish on [default: 127.0.0.1]'
            cand --service 'The compose service that runs IRIS, when iris-dev cannot tell'
            cand --wait-timeout 'Seconds to wait for IRIS to answer'
            cand --isolate 'Which host ports get per-project numbers [default: from `x-iris-dev`, else iris]'
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --no-wait 'Return once compose has started the containers'
            cand --dry-run 'Print the override file and the compose command, and change nothing'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;down'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --all 'Stop every registered project''s stack on this engine'
            cand --volumes 'Also remove the project''s volumes, IRIS''s data with them'
            cand --release 'Give the project''s ports back instead of keeping them'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;status'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --json 'Print the status as JSON'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;init'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;port'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --web 'Print the web portal port instead of the superserver port'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;env'= {
            cand --format 'How to write the variables'
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;compose'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;logs'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;session'= {
            cand -U 'The namespace to start in [default: the service''s `IRIS_NAMESPACE`, else USER]'
            cand --namespace 'The namespace to start in [default: the service''s `IRIS_NAMESPACE`, else USER]'
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;open'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --print 'Print the portal''s URL instead of opening it'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;vscode'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --dry-run 'Print the change, and write nothing'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List every assignment in the registry'
            cand inspect 'Show one project''s assignment'
            cand clear 'Remove projects'' assignments, freeing their ports'
            cand prune 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
            cand who 'Say who holds each port: an assignment, a container or a host process'
            cand reset 'Move the registry aside and start an empty one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iris-dev;ports;list'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --json 'Print a JSON array of assignments instead of a table'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;inspect'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --json 'Print the assignment as JSON'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;clear'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --all 'Clear every assignment'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;prune'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --dry-run 'Say what would change, and change nothing'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;who'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --json 'Print a JSON array of ports and their owners'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;reset'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;ports;help'= {
            cand list 'List every assignment in the registry'
            cand inspect 'Show one project''s assignment'
            cand clear 'Remove projects'' assignments, freeing their ports'
            cand prune 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
            cand who 'Say who holds each port: an assignment, a container or a host process'
            cand reset 'Move the registry aside and start an empty one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iris-dev;ports;help;list'= {
        }
        &'iris-dev;ports;help;inspect'= {
        }
        &'iris-dev;ports;help;clear'= {
        }
        &'iris-dev;ports;help;prune'= {
        }
        &'iris-dev;ports;help;who'= {
        }
        &'iris-dev;ports;help;reset'= {
        }
        &'iris-dev;ports;help;help'= {
        }
        &'iris-dev;doctor'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand --json 'Print the checks as a JSON array'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;tunnel'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;completions'= {
            cand -C 'Run as if iris-dev was started in DIR'
            cand --directory 'Run as if iris-dev was started in DIR'
            cand --color 'When to colour messages'
            cand -f 'Compose file to use instead of the project''s own (repeatable)'
            cand --file 'Compose file to use instead of the project''s own (repeatable)'
            cand --profile 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)'
            cand --env-file 'The `.env` file compose reads instead of the project''s own'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Explain what iris-dev decides and why'
            cand --verbose 'Explain what iris-dev decides and why'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'iris-dev;help'= {
            cand up 'Start the project''s IRIS on its own ports and wait until it answers'
            cand down 'Stop the project''s containers; the project keeps its ports'
            cand status 'Show the project''s ports, containers and URLs'
            cand init 'Write the built-in IRIS Community compose file into the project for editing'
            cand port 'Print the project''s IRIS superserver port, assigning one if needed'
            cand env 'Print the project''s connection settings as environment variables'
            cand compose 'Run any compose command on the project''s stack'
            cand logs 'Show the IRIS service''s logs'
            cand session 'Open an ObjectScript terminal in the IRIS service'
            cand open 'Open the management portal in the system''s browser'
            cand vscode 'Write the project''s connection into `.vscode/settings.json`'
            cand ports 'Look at and manage the port registry'
            cand doctor 'Check compose, the engine, the registry, the port range and the project'
            cand tunnel 'Forward the project''s ports from a remote ssh engine to this machine'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'iris-dev;help;up'= {
        }
        &'iris-dev;help;down'= {
        }
        &'iris-dev;help;status'= {
        }
        &'iris-dev;help;init'= {
        }
        &'iris-dev;help;port'= {
        }
        &'iris-dev;help;env'= {
        }
        &'iris-dev;help;compose'= {
        }
        &'iris-dev;help;logs'= {
        }
        &'iris-dev;help;session'= {
        }
        &'iris-dev;help;open'= {
        }
        &'iris-dev;help;vscode'= {
        }
        &'iris-dev;help;ports'= {
            cand list 'List every assignment in the registry'
            cand inspect 'Show one project''s assignment'
            cand clear 'Remove projects'' assignments, freeing their ports'
            cand prune 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects'
            cand who 'Say who holds each port: an assignment, a container or a host process'
            cand reset 'Move the registry aside and start an empty one'
        }
        &'iris-dev;help;ports;list'= {
        }
        &'iris-dev;help;ports;inspect'= {
        }
        &'iris-dev;help;ports;clear'= {
        }
        &'iris-dev;help;ports;prune'= {
        }
        &'iris-dev;help;ports;who'= {
        }
        &'iris-dev;help;ports;reset'= {
        }
        &'iris-dev;help;doctor'= {
        }
        &'iris-dev;help;tunnel'= {
        }
        &'iris-dev;help;completions'= {
        }
        &'iris-dev;help;help'= {
        }
    ]
    $completions[$command]
}
