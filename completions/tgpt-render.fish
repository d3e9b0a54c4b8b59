function __tgpt-render_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-render_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tgpt-render_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tgpt-render_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tgpt-render_parse_tokens -S
    set -l unparsed_tokens (__tgpt-render_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tgpt-render'
        __tgpt-render_parse_subcommand 0 'input=' 'plain' 'exact' 'color=' 'width=' 'reasoning=' 'tools=' 'stats' 'passthrough' 'to=' 'strict' 'sentences' 'speak=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __tgpt-render_parse_subcommand -r 1 'version'
        end
    end
end

function __tgpt-render_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tgpt-render_parse_subcommand -S -a positional_count
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

function __tgpt-render_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tgpt-render_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tgpt-render_tokens -p)
    if test -z "$(__tgpt-render_tokens -t)"
        set -l index (count (__tgpt-render_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tgpt-render' -f
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" input' -l 'input' -d 'What stdin holds: events (NDJSON), text (Markdown), or auto: events when its first line is a JSON object with a string "type".' -rfka 'auto events text'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" plain' -l 'plain' -d 'Write exactly the answer text, without styling, even on a terminal.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" exact' -l 'exact' -d 'Plain output byte for byte: no newline added after an answer that does not end with one.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" color' -l 'color' -d 'Style the output: auto (on a terminal), always, never.' -rfka 'auto always never'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" width' -l 'width' -d 'Wrap to this many columns (default: the terminal\'s, else COLUMNS, else 80).' -rfka ''
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" reasoning' -l 'reasoning' -d 'Reasoning text: show, dim, or hide.' -rfka 'show dim hide'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" tools' -l 'tools' -d 'Tool activity on stderr: hide, status (a line per call and per result), or show (also the tools\' output).' -rfka 'hide status show'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" stats' -l 'stats' -d 'After each answer, print model, tokens, time to first token, total time and tokens/s on stderr.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" passthrough' -l 'passthrough' -d 'Copy the input events unchanged to stdout and render to the terminal (see --to), like tee.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" to' -l 'to' -d 'Where --passthrough renders: tty (/dev/tty) or stderr.' -rfka 'tty stderr'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" strict' -l 'strict' -d 'Stop at the first malformed input line (exit 65) instead of warning and going on.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" sentences' -l 'sentences' -d 'Write the answer as sentences for speech, one a line, each as soon as it is complete: plain text, Markdown removed, code blocks skipped.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" speak' -l 'speak' -d 'Speak each sentence with this command while the stream goes on, one after another (--speak alone: espeak-ng). The sentence is its last argument, or replaces {}; {n} is its number. Split like shell words, run without a shell.' -rfka ''
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" version' -l 'version' -d 'Show the version.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_positional "tgpt-render" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tgpt-render' -n '__tgpt-render_should_offer_completions_for_flags_or_options "tgpt-render help" version' -l 'version' -d 'Show the version.'
