
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'iris-dev' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'iris-dev'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'iris-dev' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the project''s IRIS on its own ports and wait until it answers')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the project''s containers; the project keeps its ports')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the project''s ports, containers and URLs')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the built-in IRIS Community compose file into the project for editing')
            [CompletionResult]::new('port', 'port', [CompletionResultType]::ParameterValue, 'Print the project''s IRIS superserver port, assigning one if needed')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the project''s connection settings as environment variables')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Run any compose command on the project''s stack')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the IRIS service''s logs')
            [CompletionResult]::new('session', 'session', [CompletionResultType]::ParameterValue, 'Open an ObjectScript terminal in the IRIS service')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Open the management portal in the system''s browser')
            [CompletionResult]::new('vscode', 'vscode', [CompletionResultType]::ParameterValue, 'Write the project''s connection into `.vscode/settings.json`')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Look at and manage the port registry')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check compose, the engine, the registry, the port range and the project')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Forward the project''s ports from a remote ssh engine to this machine')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iris-dev;up' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Pin the superserver port (overrides `IRIS_DEV_PORT`)')
            [CompletionResult]::new('--web-port', '--web-port', [CompletionResultType]::ParameterName, 'Pin the web portal port (overrides `IRIS_DEV_WEB_PORT`)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Host address to publish on [default: 127.0.0.1]')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The compose service that runs IRIS, when iris-dev cannot tell')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for IRIS to answer')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Which host ports get per-project numbers [default: from `x-iris-dev`, else iris]')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once compose has started the containers')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the override file and the compose command, and change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;down' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Stop every registered project''s stack on this engine')
            [CompletionResult]::new('--volumes', '--volumes', [CompletionResultType]::ParameterName, 'Also remove the project''s volumes, IRIS''s data with them')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Give the project''s ports back instead of keeping them')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the status as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;init' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;port' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--web', '--web', [CompletionResultType]::ParameterName, 'Print the web portal port instead of the superserver port')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;env' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to write the variables')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;compose' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;logs' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;session' {
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'The namespace to start in [default: the service''s `IRIS_NAMESPACE`, else USER]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace to start in [default: the service''s `IRIS_NAMESPACE`, else USER]')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;open' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the portal''s URL instead of opening it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;vscode' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change, and write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every assignment in the registry')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show one project''s assignment')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove projects'' assignments, freeing their ports')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Say who holds each port: an assignment, a container or a host process')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Move the registry aside and start an empty one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iris-dev;ports;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of assignments instead of a table')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;inspect' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the assignment as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;clear' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Clear every assignment')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;prune' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would change, and change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;who' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array of ports and their owners')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;reset' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;ports;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every assignment in the registry')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show one project''s assignment')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove projects'' assignments, freeing their ports')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Say who holds each port: an assignment, a container or a host process')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Move the registry aside and start an empty one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iris-dev;ports;help;list' {
            break
        }
        'iris-dev;ports;help;inspect' {
            break
        }
        'iris-dev;ports;help;clear' {
            break
        }
        'iris-dev;ports;help;prune' {
            break
        }
        'iris-dev;ports;help;who' {
            break
        }
        'iris-dev;ports;help;reset' {
            break
        }
        'iris-dev;ports;help;help' {
            break
        }
        'iris-dev;doctor' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the checks as a JSON array')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;tunnel' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Run as if iris-dev was started in DIR')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file to use instead of the project''s own (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'The `.env` file compose reads instead of the project''s own')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what iris-dev decides and why')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'iris-dev;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the project''s IRIS on its own ports and wait until it answers')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the project''s containers; the project keeps its ports')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the project''s ports, containers and URLs')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write the built-in IRIS Community compose file into the project for editing')
            [CompletionResult]::new('port', 'port', [CompletionResultType]::ParameterValue, 'Print the project''s IRIS superserver port, assigning one if needed')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print the project''s connection settings as environment variables')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Run any compose command on the project''s stack')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the IRIS service''s logs')
            [CompletionResult]::new('session', 'session', [CompletionResultType]::ParameterValue, 'Open an ObjectScript terminal in the IRIS service')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Open the management portal in the system''s browser')
            [CompletionResult]::new('vscode', 'vscode', [CompletionResultType]::ParameterValue, 'Write the project''s connection into `.vscode/settings.json`')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Look at and manage the port registry')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check compose, the engine, the registry, the port range and the project')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Forward the project''s ports from a remote ssh engine to this machine')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'iris-dev;help;up' {
            break
        }
        'iris-dev;help;down' {
            break
        }
        'iris-dev;help;status' {
            break
        }
        'iris-dev;help;init' {
            break
        }
        'iris-dev;help;port' {
            break
        }
        'iris-dev;help;env' {
            break
        }
        'iris-dev;help;compose' {
            break
        }
        'iris-dev;help;logs' {
            break
        }
        'iris-dev;help;session' {
            break
        }
        'iris-dev;help;open' {
            break
        }
        'iris-dev;help;vscode' {
            break
        }
        'iris-dev;help;ports' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every assignment in the registry')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show one project''s assignment')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove projects'' assignments, freeing their ports')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Mark assignments stale whose containers are gone, and remove assignments of deleted projects')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Say who holds each port: an assignment, a container or a host process')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Move the registry aside and start an empty one')
            break
        }
        'iris-dev;help;ports;list' {
            break
        }
        'iris-dev;help;ports;inspect' {
            break
        }
        'iris-dev;help;ports;clear' {
            break
        }
        'iris-dev;help;ports;prune' {
            break
        }
        'iris-dev;help;ports;who' {
            break
        }
        'iris-dev;help;ports;reset' {
            break
        }
        'iris-dev;help;doctor' {
            break
        }
        'iris-dev;help;tunnel' {
            break
        }
        'iris-dev;help;completions' {
            break
        }
        'iris-dev;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
