function __tgpt-session_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-session_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tgpt-session_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-session_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tgpt-session_parse_tokens -S
    set -l unparsed_tokens (__tgpt-session_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tgpt-session'
        __tgpt-session_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'turn'
            __tgpt-session_parse_subcommand -r 1 's/session=' 'c/continue' 'messages' 'profile=' 'provider=' 'm/model=' 'base-url=' 'header=+' 'api-key-cmd=' 'max-tokens-field=' 'app-url=' 'app-title=' 'http1.1' 'cacert=' 'insecure' 'echo-delay-ms=' 'system=' 'temperature=' 'max-tokens=' 'param=+' 'retries=' 'connect-timeout=' 'idle-timeout=' 'timeout=' 'context-tokens=' 'include-failed' 'store=' 'principal=' 'cache=' 'no-cache' 'tool=+' 'tools=+' 'mcp=+' 'approve=' 'max-tool-rounds=' 'no-tools' 'log-level=' 'stdin=' 'text' 'exact' 'id=' 'a/attach=+' 'version' 'h/help'
        case 'serve'
            __tgpt-session_parse_subcommand 0 's/session=' 'max-turns=' 'profile=' 'provider=' 'm/model=' 'base-url=' 'header=+' 'api-key-cmd=' 'max-tokens-field=' 'app-url=' 'app-title=' 'http1.1' 'cacert=' 'insecure' 'echo-delay-ms=' 'system=' 'temperature=' 'max-tokens=' 'param=+' 'retries=' 'connect-timeout=' 'idle-timeout=' 'timeout=' 'context-tokens=' 'include-failed' 'store=' 'principal=' 'cache=' 'no-cache' 'tool=+' 'tools=+' 'mcp=+' 'approve=' 'max-tool-rounds=' 'no-tools' 'log-level=' 'version' 'h/help'
        case 'chat'
            __tgpt-session_parse_subcommand 0 's/session=' 'api-url=' 'token=' 'profile=' 'provider=' 'm/model=' 'base-url=' 'header=+' 'api-key-cmd=' 'max-tokens-field=' 'app-url=' 'app-title=' 'http1.1' 'cacert=' 'insecure' 'echo-delay-ms=' 'system=' 'temperature=' 'max-tokens=' 'param=+' 'retries=' 'connect-timeout=' 'idle-timeout=' 'timeout=' 'context-tokens=' 'include-failed' 'store=' 'principal=' 'cache=' 'no-cache' 'tool=+' 'tools=+' 'mcp=+' 'approve=' 'max-tool-rounds=' 'no-tools' 'log-level=' 'version' 'h/help'
        case 'list'
            __tgpt-session_parse_subcommand 0 'json' 'n/limit=' 'store=' 'principal=' 'version' 'h/help'
        case 'show'
            __tgpt-session_parse_subcommand 1 'json' 'store=' 'principal=' 'version' 'h/help'
        case 'rm'
            __tgpt-session_parse_subcommand -r 1 'store=' 'principal=' 'prefix=' 'version' 'h/help'
        case 'rename'
            __tgpt-session_parse_subcommand 2 'store=' 'principal=' 'version' 'h/help'
        case 'set'
            __tgpt-session_parse_subcommand 1 'default' 'm/model=' 'provider=' 'system=' 'base-url=' 'store=' 'principal=' 'version' 'h/help'
        case 'export'
            __tgpt-session_parse_subcommand -r 1 'store=' 'principal=' 'version' 'h/help'
        case 'import'
            __tgpt-session_parse_subcommand 1 'as=' 'store=' 'principal=' 'version' 'h/help'
        case 'search'
            __tgpt-session_parse_subcommand -r 1 'json' 'n/limit=' 'store=' 'principal=' 'version' 'h/help'
        case 'check'
            __tgpt-session_parse_subcommand 0 'store=' 'principal=' 'version' 'h/help'
        case 'cache'
            __tgpt-session_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'stats'
                __tgpt-session_parse_subcommand 0 'principal=' 'version' 'h/help'
            case 'clear'
                __tgpt-session_parse_subcommand 0 'principal=' 'version' 'h/help'
            end
        case 'help'
            __tgpt-session_parse_subcommand -r 1 'version'
        end
    end
end

function __tgpt-session_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tgpt-session_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __tgpt-session_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tgpt-session_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tgpt-session_tokens -p)
    if test -z "$(__tgpt-session_tokens -t)"
        set -l index (count (__tgpt-session_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tgpt-session' -f
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'turn' -d 'Send a message in a session and stream the answer as NDJSON events (the default command).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'serve' -d 'Answer {"message":…} lines from stdin for many sessions at once (a co-process).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'chat' -d 'Chat in the terminal: a prompt with line editing and history, answers rendered as they stream.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'list' -d 'List sessions, most recently used first: id, turns, last used, model, first words.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'show' -d 'Show a session\'s messages (readable, or --json as export NDJSON).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'rm' -d 'Remove sessions (waits for a turn in progress on them to end).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'rename' -d 'Rename a session (waits for a turn in progress on it to end).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'set' -d 'Change what a session remembers (model, provider, system prompt; creates the session if new), or with --default the config file\'s defaults.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'export' -d 'Write sessions as NDJSON: a {"type":"session",…} line, then one {"type":"message",…} line per message.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'import' -d 'Read sessions written by `export` (from a file or stdin); an existing id is refused.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'search' -d 'Find messages containing all the words (full text; newest first): session, message number, snippet.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'check' -d 'Check the store\'s consistency (SQLite integrity, the full-text index, turn counts); exit 65 if unsound.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'cache' -d 'Look at or empty the response cache of --cache.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" s session' -s 's' -l 'session' -d 'The session id (created on first use).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" c continue' -s 'c' -l 'continue' -d 'Continue the most recently used session.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" messages' -l 'messages' -d 'Read turns from stdin, one {"message":…} JSON object per line.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" profile' -l 'profile' -d 'Use the config file\'s [profiles.NAME] table: its provider, model, system prompt… unless a flag says otherwise (it wins over the environment). Env: TGPT_PROFILE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" provider' -l 'provider' -d 'The provider: openrouter (default), openai, anthropic, compatible, echo. Env: TGPT_PROVIDER.' -rfka 'openrouter openai anthropic compatible echo'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" m model' -s 'm' -l 'model' -d 'The model id, e.g. openai/gpt-4o-mini. Env: TGPT_MODEL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" base-url' -l 'base-url' -d 'API base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (implies --provider compatible). Env: TGPT_BASE_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -l 'header' -d 'An extra HTTP header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" api-key-cmd' -l 'api-key-cmd' -d 'A shell command that prints the API key (e.g. \'pass show openrouter\'); used when the key variable is unset.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" max-tokens-field' -l 'max-tokens-field' -d 'Body field for --max-tokens: max_tokens or max_completion_tokens (default per provider).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" app-url' -l 'app-url' -d 'OpenRouter attribution: the HTTP-Referer header. Env: TGPT_APP_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" app-title' -l 'app-title' -d 'OpenRouter attribution: the X-Title header (default tgpt). Env: TGPT_APP_TITLE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" http1.1' -l 'http1.1' -d 'Use HTTP/1.1 only (for proxies that break HTTP/2 streams).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" cacert' -l 'cacert' -d 'A PEM file of CA certificates to trust instead of the system\'s.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" insecure' -l 'insecure' -d 'Do not verify TLS certificates (local test servers only).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" echo-delay-ms' -l 'echo-delay-ms' -d 'Milliseconds between words of the echo provider.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" system' -l 'system' -d 'The system prompt; a new session remembers it (an empty one clears it for this turn).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" temperature' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" max-tokens' -l 'max-tokens' -d 'The most tokens the answer may have.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -l 'param' -d 'An extra request body field, key=JSON (repeatable); a value that is not JSON is sent as a string: --param top_p=0.9 --param reasoning_effort=high.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" retries' -l 'retries' -d 'Retries before the first answer byte, on connect errors, 408, 409, 429 and 5xx (default 3).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect (default 10).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" idle-timeout' -l 'idle-timeout' -d 'Seconds without any byte from the provider before giving up (default 60).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" timeout' -l 'timeout' -d 'Seconds for the whole answer, retries included (default: no limit).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" context-tokens' -l 'context-tokens' -d 'The model\'s context window in tokens (default: a built-in table of common models, else config context_tokens, else 8192).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" include-failed' -l 'include-failed' -d 'Send failed and interrupted answers as context too (normally left out).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" cache' -l 'cache' -d 'Answer a turn whose request (provider, base URL, model, parameters, system prompt, tools and every message) equals one answered in full less than TTL ago from the response cache, without a request; --cache alone: 1h. TTL: 30s, 15m, 1h, 7d; 0: off (a word after --cache that reads as one is the TTL: --cache -- 42 sends 42). Turns that called tools are not kept. Config: cache = "1h".' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" no-cache' -l 'no-cache' -d 'Do not use the response cache (overrides the config file\'s cache).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -l 'tool' -d 'Offer the tool defined in this JSON file (name, description, parameters, command, timeout_s, max_output_bytes); repeatable.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -l 'tools' -d 'Offer these tools by name, from tools/NAME.json beside the config file (comma-separated; with the config\'s tools = [...]).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -l 'mcp' -d 'Start this MCP server over stdio and offer its tools: a command and its arguments, split like shell words, run without a shell; repeatable. Config: [mcp.NAME] command = [...].' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" approve' -l 'approve' -d 'Before each tool call: ask (on the terminal; denied when there is none), always, or never. Default: ask in the chat, always elsewhere (enabling a tool is consent).' -rfka 'ask always never'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" max-tool-rounds' -l 'max-tool-rounds' -d 'Rounds of tool calls in one turn before it ends with an error.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" no-tools' -l 'no-tools' -d 'Offer no tools, not even the config file\'s.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" stdin' -l 'stdin' -d 'Where piped stdin goes: prepend (before the words), append, or ignore.' -rfka 'prepend append ignore'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" text' -l 'text' -d 'Write only the answer text, no JSON (for $(…) and cron mail), ended by a newline if it has none; errors go to stderr.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" exact' -l 'exact' -d 'Write the answer text byte for byte, with no newline added (implies --text).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" id' -l 'id' -d 'The request id to put on every event.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn"' -s 'a' -l 'attach' -d 'Send an image (PNG, JPEG, GIF, WebP; up to 5 MiB) or a UTF-8 text file (up to 1 MiB) with the message, or an image\'s http(s) URL for the provider to fetch; stored with the session and sent again with later turns. Repeatable.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session turn" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" s session' -s 's' -l 'session' -d 'The session of lines without session_id (default: one new session).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" max-turns' -l 'max-turns' -d 'The most turns handled at once (1 to 65536); further lines wait in the pipe.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" profile' -l 'profile' -d 'Use the config file\'s [profiles.NAME] table: its provider, model, system prompt… unless a flag says otherwise (it wins over the environment). Env: TGPT_PROFILE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" provider' -l 'provider' -d 'The provider: openrouter (default), openai, anthropic, compatible, echo. Env: TGPT_PROVIDER.' -rfka 'openrouter openai anthropic compatible echo'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" m model' -s 'm' -l 'model' -d 'The model id, e.g. openai/gpt-4o-mini. Env: TGPT_MODEL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" base-url' -l 'base-url' -d 'API base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (implies --provider compatible). Env: TGPT_BASE_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve"' -l 'header' -d 'An extra HTTP header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" api-key-cmd' -l 'api-key-cmd' -d 'A shell command that prints the API key (e.g. \'pass show openrouter\'); used when the key variable is unset.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" max-tokens-field' -l 'max-tokens-field' -d 'Body field for --max-tokens: max_tokens or max_completion_tokens (default per provider).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" app-url' -l 'app-url' -d 'OpenRouter attribution: the HTTP-Referer header. Env: TGPT_APP_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" app-title' -l 'app-title' -d 'OpenRouter attribution: the X-Title header (default tgpt). Env: TGPT_APP_TITLE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" http1.1' -l 'http1.1' -d 'Use HTTP/1.1 only (for proxies that break HTTP/2 streams).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" cacert' -l 'cacert' -d 'A PEM file of CA certificates to trust instead of the system\'s.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" insecure' -l 'insecure' -d 'Do not verify TLS certificates (local test servers only).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" echo-delay-ms' -l 'echo-delay-ms' -d 'Milliseconds between words of the echo provider.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" system' -l 'system' -d 'The system prompt; a new session remembers it (an empty one clears it for this turn).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" temperature' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" max-tokens' -l 'max-tokens' -d 'The most tokens the answer may have.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve"' -l 'param' -d 'An extra request body field, key=JSON (repeatable); a value that is not JSON is sent as a string: --param top_p=0.9 --param reasoning_effort=high.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" retries' -l 'retries' -d 'Retries before the first answer byte, on connect errors, 408, 409, 429 and 5xx (default 3).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect (default 10).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" idle-timeout' -l 'idle-timeout' -d 'Seconds without any byte from the provider before giving up (default 60).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" timeout' -l 'timeout' -d 'Seconds for the whole answer, retries included (default: no limit).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" context-tokens' -l 'context-tokens' -d 'The model\'s context window in tokens (default: a built-in table of common models, else config context_tokens, else 8192).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" include-failed' -l 'include-failed' -d 'Send failed and interrupted answers as context too (normally left out).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" cache' -l 'cache' -d 'Answer a turn whose request (provider, base URL, model, parameters, system prompt, tools and every message) equals one answered in full less than TTL ago from the response cache, without a request; --cache alone: 1h. TTL: 30s, 15m, 1h, 7d; 0: off (a word after --cache that reads as one is the TTL: --cache -- 42 sends 42). Turns that called tools are not kept. Config: cache = "1h".' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" no-cache' -l 'no-cache' -d 'Do not use the response cache (overrides the config file\'s cache).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve"' -l 'tool' -d 'Offer the tool defined in this JSON file (name, description, parameters, command, timeout_s, max_output_bytes); repeatable.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve"' -l 'tools' -d 'Offer these tools by name, from tools/NAME.json beside the config file (comma-separated; with the config\'s tools = [...]).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve"' -l 'mcp' -d 'Start this MCP server over stdio and offer its tools: a command and its arguments, split like shell words, run without a shell; repeatable. Config: [mcp.NAME] command = [...].' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" approve' -l 'approve' -d 'Before each tool call: ask (on the terminal; denied when there is none), always, or never. Default: ask in the chat, always elsewhere (enabling a tool is consent).' -rfka 'ask always never'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" max-tool-rounds' -l 'max-tool-rounds' -d 'Rounds of tool calls in one turn before it ends with an error.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" no-tools' -l 'no-tools' -d 'Offer no tools, not even the config file\'s.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" s session' -s 's' -l 'session' -d 'The session (default: a new one).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" api-url' -l 'api-url' -d 'Chat through a tgpt-ws-bridge server: ws://host:port (or wss://), its chat URL, or a prefix it is served under.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" token' -l 'token' -d 'Bearer token for the server. Env: TGPT_WS_TOKEN.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" profile' -l 'profile' -d 'Use the config file\'s [profiles.NAME] table: its provider, model, system prompt… unless a flag says otherwise (it wins over the environment). Env: TGPT_PROFILE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" provider' -l 'provider' -d 'The provider: openrouter (default), openai, anthropic, compatible, echo. Env: TGPT_PROVIDER.' -rfka 'openrouter openai anthropic compatible echo'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" m model' -s 'm' -l 'model' -d 'The model id, e.g. openai/gpt-4o-mini. Env: TGPT_MODEL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" base-url' -l 'base-url' -d 'API base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (implies --provider compatible). Env: TGPT_BASE_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat"' -l 'header' -d 'An extra HTTP header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" api-key-cmd' -l 'api-key-cmd' -d 'A shell command that prints the API key (e.g. \'pass show openrouter\'); used when the key variable is unset.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" max-tokens-field' -l 'max-tokens-field' -d 'Body field for --max-tokens: max_tokens or max_completion_tokens (default per provider).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" app-url' -l 'app-url' -d 'OpenRouter attribution: the HTTP-Referer header. Env: TGPT_APP_URL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" app-title' -l 'app-title' -d 'OpenRouter attribution: the X-Title header (default tgpt). Env: TGPT_APP_TITLE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" http1.1' -l 'http1.1' -d 'Use HTTP/1.1 only (for proxies that break HTTP/2 streams).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" cacert' -l 'cacert' -d 'A PEM file of CA certificates to trust instead of the system\'s.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" insecure' -l 'insecure' -d 'Do not verify TLS certificates (local test servers only).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" echo-delay-ms' -l 'echo-delay-ms' -d 'Milliseconds between words of the echo provider.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" system' -l 'system' -d 'The system prompt; a new session remembers it (an empty one clears it for this turn).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" temperature' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" max-tokens' -l 'max-tokens' -d 'The most tokens the answer may have.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat"' -l 'param' -d 'An extra request body field, key=JSON (repeatable); a value that is not JSON is sent as a string: --param top_p=0.9 --param reasoning_effort=high.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" retries' -l 'retries' -d 'Retries before the first answer byte, on connect errors, 408, 409, 429 and 5xx (default 3).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect (default 10).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" idle-timeout' -l 'idle-timeout' -d 'Seconds without any byte from the provider before giving up (default 60).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" timeout' -l 'timeout' -d 'Seconds for the whole answer, retries included (default: no limit).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" context-tokens' -l 'context-tokens' -d 'The model\'s context window in tokens (default: a built-in table of common models, else config context_tokens, else 8192).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" include-failed' -l 'include-failed' -d 'Send failed and interrupted answers as context too (normally left out).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" cache' -l 'cache' -d 'Answer a turn whose request (provider, base URL, model, parameters, system prompt, tools and every message) equals one answered in full less than TTL ago from the response cache, without a request; --cache alone: 1h. TTL: 30s, 15m, 1h, 7d; 0: off (a word after --cache that reads as one is the TTL: --cache -- 42 sends 42). Turns that called tools are not kept. Config: cache = "1h".' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" no-cache' -l 'no-cache' -d 'Do not use the response cache (overrides the config file\'s cache).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat"' -l 'tool' -d 'Offer the tool defined in this JSON file (name, description, parameters, command, timeout_s, max_output_bytes); repeatable.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat"' -l 'tools' -d 'Offer these tools by name, from tools/NAME.json beside the config file (comma-separated; with the config\'s tools = [...]).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat"' -l 'mcp' -d 'Start this MCP server over stdio and offer its tools: a command and its arguments, split like shell words, run without a shell; repeatable. Config: [mcp.NAME] command = [...].' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" approve' -l 'approve' -d 'Before each tool call: ask (on the terminal; denied when there is none), always, or never. Default: ask in the chat, always elsewhere (enabling a tool is consent).' -rfka 'ask always never'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" max-tool-rounds' -l 'max-tool-rounds' -d 'Rounds of tool calls in one turn before it ends with an error.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" no-tools' -l 'no-tools' -d 'Offer no tools, not even the config file\'s.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session chat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" json' -l 'json' -d 'One JSON object per session (id, turns, created_at, updated_at in ms, model, provider, system, base_url when set, title).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" limit n' -s 'n' -l 'limit' -d 'Show at most this many sessions.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session show" json' -l 'json' -d 'The session as NDJSON, exactly as `export` writes it.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session show" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session show" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session show" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rm" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rm" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rm" prefix' -l 'prefix' -d 'Also remove every session whose id starts with this.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rm" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rename" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rename" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rename" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session rename" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" default' -l 'default' -d 'Change the defaults in the config file (for tgpt-stream and new sessions) instead of a session.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" m model' -s 'm' -l 'model' -d 'The model id.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" provider' -l 'provider' -d 'The provider: openrouter, openai, anthropic, compatible, echo.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" system' -l 'system' -d 'The system prompt.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" base-url' -l 'base-url' -d 'The provider\'s base URL (a compatible server\'s).' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session export" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session export" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session export" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session import" as' -l 'as' -d 'Import the (one) session under this id.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session import" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session import" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session import" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" json' -l 'json' -d 'One JSON object per hit: session_id, seq, role, snippet.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" limit n' -s 'n' -l 'limit' -d 'Show at most this many hits.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session search" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session check" store' -l 'store' -d 'The session store: a SQLite file (default: sessions.db in $TGPT_HOME, else $XDG_DATA_HOME/tgpt, else ~/.local/share/tgpt), or a PostgreSQL database: postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require|verify-ca|verify-full&connect_timeout=S] (password also from PGPASSWORD). Env: TGPT_STORE.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session check" principal' -l 'principal' -d 'Whose sessions to use: 1 to 64 characters of A-Z a-z 0-9 . _ - (default: default, the sessions of local commands and of a server with one --token). Env: TGPT_PRINCIPAL.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session check" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session cache" -eq 1' -fa 'stats' -d 'Print the cache as one JSON object: path, entries, bytes, hits, misses, oldest_ms and newest_ms (when it was made).'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_positional "tgpt-session cache" -eq 1' -fa 'clear' -d 'Remove the cached answers (and counts): all, or one principal\'s.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache stats" principal' -l 'principal' -d 'Only this principal\'s entries and counts.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache stats" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache clear" principal' -l 'principal' -d 'Only this principal\'s entries.' -rfka ''
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache clear" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session cache clear" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-session' -n '__tgpt-session_should_offer_completions_for_flags_or_options "tgpt-session help" version' -l 'version' -d 'Show the version.'
