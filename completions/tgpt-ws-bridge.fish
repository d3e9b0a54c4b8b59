function __tgpt-ws-bridge_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-ws-bridge_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tgpt-ws-bridge_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-ws-bridge_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tgpt-ws-bridge_parse_tokens -S
    set -l unparsed_tokens (__tgpt-ws-bridge_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tgpt-ws-bridge'
        __tgpt-ws-bridge_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'connect'
            __tgpt-ws-bridge_parse_subcommand 1 's/session=' 'H/header=+' 'token=' 'cacert=' 'insecure' 'ping-interval=' 'connect-timeout=' 'reconnect=' 'linger=' 'idle-timeout=' 'raw' 'max-message-bytes=' 'log-level=' 'version' 'h/help'
        case 'serve'
            __tgpt-ws-bridge_parse_subcommand -r 1 'host=' 'port=' 'token=' 'tokens=' 'principal-in-flight=' 'principal-rate=' 'principal-sessions=' 'no-auth' 'tls-cert=' 'tls-key=' 'allow-origin=+' 'no-web' 'max-message-bytes=' 'max-connections=' 'rate=' 'token-rate=' 'idle-timeout=' 'ping-interval=' 'drain-timeout=' 'stall-timeout=' 'queue-bytes=' 'header-timeout=' 'log-level=' 'version' 'h/help'
        case 'token'
            __tgpt-ws-bridge_parse_subcommand 1 'version' 'h/help'
        case 'check'
            __tgpt-ws-bridge_parse_subcommand 1 'test=' 'token=' 'timeout=' 'json' 'version' 'h/help'
        case 'bench'
            __tgpt-ws-bridge_parse_subcommand 1 'sessions=' 'messages=' 'words=' 'token=' 'timeout=' 'idle=' 'hold=' 'json' 'version' 'h/help'
        case 'help'
            __tgpt-ws-bridge_parse_subcommand -r 1 'version'
        end
    end
end

function __tgpt-ws-bridge_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tgpt-ws-bridge_parse_subcommand -S -a positional_count
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

function __tgpt-ws-bridge_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tgpt-ws-bridge_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tgpt-ws-bridge_tokens -p)
    if test -z "$(__tgpt-ws-bridge_tokens -t)"
        set -l index (count (__tgpt-ws-bridge_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tgpt-ws-bridge' -f
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'connect' -d 'Send stdin lines as messages to a WebSocket; print each frame received as a line.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'serve' -d 'Serve /ws/chat/{session_id} (and POST /chat/{session_id}) by relaying to tgpt-session serve.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'token' -d 'Make a new random token for a principal, and the line to add to the tokens file.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'check' -d 'Run a streaming test suite (answers, sessions, errors, connections) against any server that speaks the protocol.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'bench' -d 'Load a server: N sessions at once, M messages each; events/s and latency percentiles.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_positional "tgpt-ws-bridge" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" s session' -s 's' -l 'session' -d 'The session, with a base URL or a template (without it a new one is made and printed on stderr).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect"' -s 'H' -l 'header' -d 'A request header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" token' -l 'token' -d 'Bearer token for the Authorization header. Env: TGPT_WS_TOKEN.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" cacert' -l 'cacert' -d 'PEM file of CA certificates to trust for wss:// instead of the system\'s.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" insecure' -l 'insecure' -d 'Do not verify the server\'s TLS certificate.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" ping-interval' -l 'ping-interval' -d 'Send a ping every SEC seconds; a missed pong ends the connection.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" connect-timeout' -l 'connect-timeout' -d 'Give up connecting after SEC seconds.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" reconnect' -l 'reconnect' -d 'Reconnect up to N times, with backoff, when the connection fails or drops.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" linger' -l 'linger' -d 'After stdin ends, stop after SEC seconds without a frame even if answers are owed (for servers that do not send complete/error).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" idle-timeout' -l 'idle-timeout' -d 'Fail after SEC seconds without a frame while answers are owed: an error event (timeout) for each, exit 75 (0: never).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" raw' -l 'raw' -d 'Send stdin lines untouched (no {"message": …} wrapping, no ids).'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" max-message-bytes' -l 'max-message-bytes' -d 'The largest message accepted from the server, in bytes.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" port' -l 'port' -d 'Port to listen on; 0 picks a free one.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" token' -l 'token' -d 'Bearer token clients must present. Env: TGPT_SERVER_TOKEN.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" tokens' -l 'tokens' -d 'Principals and their tokens: lines of PRINCIPAL SHA256HEX (see tgpt-ws-bridge token); re-read on SIGHUP. Each principal sees only its own sessions. Env: TGPT_SERVER_TOKENS.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" principal-in-flight' -l 'principal-in-flight' -d 'With --tokens: requests (turns, history, deletes) one principal may have in flight at once (default 32); 0 for no limit.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" principal-rate' -l 'principal-rate' -d 'With --tokens: requests a minute per principal (default 600); 0 for no limit.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" principal-sessions' -l 'principal-sessions' -d 'With --tokens: sessions one principal may have open at once (connections or requests; default 64); 0 for no limit.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" no-auth' -l 'no-auth' -d 'Listen beyond loopback without a token.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" tls-cert' -l 'tls-cert' -d 'PEM certificate chain for wss:// and https://.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" tls-key' -l 'tls-key' -d 'PEM private key for --tls-cert.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve"' -l 'allow-origin' -d 'A page (Origin) browsers may connect from, e.g. https://app.example (repeatable). Default: any page with a token on a server that has one; on a server without, only its own web client, at an address such as 127.0.0.1:8000.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" no-web' -l 'no-web' -d 'Do not serve the web client at / (the page, its script and styles).'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" max-message-bytes' -l 'max-message-bytes' -d 'The largest message accepted, in bytes.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" max-connections' -l 'max-connections' -d 'The most WebSocket connections at once (default 10000, or what the open-file limit allows).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" rate' -l 'rate' -d 'Messages per second per client address, over all its connections; 0 for no limit (bursts of up to 100).' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" token-rate' -l 'token-rate' -d 'Messages per second for all clients presenting the token together; 0 for no limit.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" idle-timeout' -l 'idle-timeout' -d 'Close a connection idle this many seconds.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" ping-interval' -l 'ping-interval' -d 'Ping every SEC seconds; a missed pong closes the connection.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" drain-timeout' -l 'drain-timeout' -d 'On SIGTERM, wait this long for turns in flight.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" stall-timeout' -l 'stall-timeout' -d 'Close a client that takes none of its waiting events for this long.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" queue-bytes' -l 'queue-bytes' -d 'Close a client with more than this many bytes of events waiting.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" header-timeout' -l 'header-timeout' -d 'Seconds a connection may take to send its request head, or stay idle between HTTP requests.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge token" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" test' -l 'test' -d 'streaming_response, multiple_sessions, error_handling, connection or all.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" token' -l 'token' -d 'Bearer token. Env: TGPT_WS_TOKEN.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" timeout' -l 'timeout' -d 'Seconds each conversation may take.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" json' -l 'json' -d 'One JSON object per test on stdout.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" sessions' -l 'sessions' -d 'Connections at once.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" messages' -l 'messages' -d 'Messages per session.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" words' -l 'words' -d 'Words per message.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" token' -l 'token' -d 'Bearer token. Env: TGPT_WS_TOKEN.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" timeout' -l 'timeout' -d 'Seconds each session may take.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" idle' -l 'idle' -d 'Instead: open N idle connections (sending nothing), hold them for --hold seconds, close.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" hold' -l 'hold' -d 'Seconds to hold --idle connections.' -rfka ''
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" json' -l 'json' -d 'Print the figures as one JSON object.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-ws-bridge' -n '__tgpt-ws-bridge_should_offer_completions_for_flags_or_options "tgpt-ws-bridge help" version' -l 'version' -d 'Show the version.'
