function __tgpt-stream_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-stream_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tgpt-stream_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-stream_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tgpt-stream_parse_tokens -S
    set -l unparsed_tokens (__tgpt-stream_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tgpt-stream'
        __tgpt-stream_parse_subcommand -r 1 'profile=' 'provider=' 'm/model=' 'base-url=' 'header=+' 'api-key-cmd=' 'max-tokens-field=' 'app-url=' 'app-title=' 'http1.1' 'cacert=' 'insecure' 'echo-delay-ms=' 'system=' 'temperature=' 'max-tokens=' 'param=+' 'retries=' 'connect-timeout=' 'idle-timeout=' 'timeout=' 'stdin=' 'request' 'text' 'exact' 'tool=+' 'a/attach=+' 'models' 'json' 'id=' 'log-level=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __tgpt-stream_parse_subcommand -r 1 'version'
        end
    end
end

function __tgpt-stream_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tgpt-stream_parse_subcommand -S -a positional_count
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

function __tgpt-stream_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tgpt-stream_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tgpt-stream_tokens -p)
    if test -z "$(__tgpt-stream_tokens -t)"
        set -l index (count (__tgpt-stream_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tgpt-stream' -f
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" profile' -l 'profile' -d 'Use the config file\'s [profiles.NAME] table: its provider, model, system prompt… unless a flag says otherwise (it wins over the environment). Env: TGPT_PROFILE.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" provider' -l 'provider' -d 'The provider: openrouter (default), openai, anthropic, compatible, echo. Env: TGPT_PROVIDER.' -rfka 'openrouter openai anthropic compatible echo'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" m model' -s 'm' -l 'model' -d 'The model id, e.g. openai/gpt-4o-mini. Env: TGPT_MODEL.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" base-url' -l 'base-url' -d 'API base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (implies --provider compatible). Env: TGPT_BASE_URL.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream"' -l 'header' -d 'An extra HTTP header, \'Name: value\' (repeatable).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" api-key-cmd' -l 'api-key-cmd' -d 'A shell command that prints the API key (e.g. \'pass show openrouter\'); used when the key variable is unset.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" max-tokens-field' -l 'max-tokens-field' -d 'Body field for --max-tokens: max_tokens or max_completion_tokens (default per provider).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" app-url' -l 'app-url' -d 'OpenRouter attribution: the HTTP-Referer header. Env: TGPT_APP_URL.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" app-title' -l 'app-title' -d 'OpenRouter attribution: the X-Title header (default tgpt). Env: TGPT_APP_TITLE.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" http1.1' -l 'http1.1' -d 'Use HTTP/1.1 only (for proxies that break HTTP/2 streams).'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" cacert' -l 'cacert' -d 'A PEM file of CA certificates to trust instead of the system\'s.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" insecure' -l 'insecure' -d 'Do not verify TLS certificates (local test servers only).'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" echo-delay-ms' -l 'echo-delay-ms' -d 'Milliseconds between words of the echo provider.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" system' -l 'system' -d 'The system prompt.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" temperature' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" max-tokens' -l 'max-tokens' -d 'The most tokens the answer may have.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream"' -l 'param' -d 'An extra request body field, key=JSON (repeatable); a value that is not JSON is sent as a string: --param top_p=0.9 --param reasoning_effort=high.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" retries' -l 'retries' -d 'Retries before the first answer byte, on connect errors, 408, 409, 429 and 5xx (default 3).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect (default 10).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" idle-timeout' -l 'idle-timeout' -d 'Seconds without any byte from the provider before giving up (default 60).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" timeout' -l 'timeout' -d 'Seconds for the whole answer, retries included (default: no limit).' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" stdin' -l 'stdin' -d 'Where piped stdin goes: prepend (before the words), append, or ignore.' -rfka 'prepend append ignore'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" request' -l 'request' -d 'Read a whole request, {"messages":[…],"model":…}, from stdin instead of a prompt.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" text' -l 'text' -d 'Write only the answer text, no JSON (for $(…) and cron mail), ended by a newline if it has none; errors go to stderr.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" exact' -l 'exact' -d 'Write the answer text byte for byte, with no newline added (implies --text).'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream"' -l 'tool' -d 'Offer the tool defined in this JSON file; calls come out as tool_call events and nothing runs (tgpt-session runs tools). Repeatable.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream"' -s 'a' -l 'attach' -d 'Send an image (PNG, JPEG, GIF, WebP; up to 5 MiB) or a UTF-8 text file (up to 1 MiB) with the prompt, or an image\'s http(s) URL for the provider to fetch. Repeatable.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" models' -l 'models' -d 'List the provider\'s models, one id per line, instead of sending a prompt.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" json' -l 'json' -d 'With --models: the provider\'s model objects, one JSON object per line.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" id' -l 'id' -d 'The request id to put on every event.' -rfka ''
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error. Env: TGPT_LOG.' -rfka 'trace debug info notice warning error critical'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_positional "tgpt-stream" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tgpt-stream' -n '__tgpt-stream_should_offer_completions_for_flags_or_options "tgpt-stream help" version' -l 'version' -d 'Show the version.'
