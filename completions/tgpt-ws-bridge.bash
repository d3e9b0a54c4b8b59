#!/bin/bash

__tgpt-ws-bridge_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__tgpt-ws-bridge_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__tgpt-ws-bridge_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__tgpt-ws-bridge_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_tgpt-ws-bridge() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __tgpt-ws-bridge_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    connect|serve|token|check|bench|help)
        # Offer subcommand argument completions
        "_tgpt-ws-bridge_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'connect serve token check bench help' -- "${cur}"))
        ;;
    esac
}

_tgpt-ws-bridge_connect() {
    repeating_flags=()
    non_repeating_flags=(--insecure --raw --version -h --help)
    repeating_options=(-H --header)
    non_repeating_options=(-s --session --token --cacert --ping-interval --connect-timeout --reconnect --linger --idle-timeout --max-message-bytes --log-level)
    __tgpt-ws-bridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--session')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--token')
        return
        ;;
    '--cacert')
        return
        ;;
    '--ping-interval')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--reconnect')
        return
        ;;
    '--linger')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--max-message-bytes')
        return
        ;;
    '--log-level')
        __tgpt-ws-bridge_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    esac
}

_tgpt-ws-bridge_serve() {
    repeating_flags=()
    non_repeating_flags=(--no-auth --no-web --version -h --help)
    repeating_options=(--allow-origin)
    non_repeating_options=(--host --port --token --tokens --principal-in-flight --principal-rate --principal-sessions --tls-cert --tls-key --max-message-bytes --max-connections --rate --token-rate --idle-timeout --ping-interval --drain-timeout --stall-timeout --queue-bytes --header-timeout --log-level)
    __tgpt-ws-bridge_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--token')
        return
        ;;
    '--tokens')
        return
        ;;
    '--principal-in-flight')
        return
        ;;
    '--principal-rate')
        return
        ;;
    '--principal-sessions')
        return
        ;;
    '--tls-cert')
        return
        ;;
    '--tls-key')
        return
        ;;
    '--allow-origin')
        return
        ;;
    '--max-message-bytes')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--rate')
        return
        ;;
    '--token-rate')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--ping-interval')
        return
        ;;
    '--drain-timeout')
        return
        ;;
    '--stall-timeout')
        return
        ;;
    '--queue-bytes')
        return
        ;;
    '--header-timeout')
        return
        ;;
    '--log-level')
        __tgpt-ws-bridge_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    esac
}

_tgpt-ws-bridge_token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __tgpt-ws-bridge_offer_flags_options 1
}

_tgpt-ws-bridge_check() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--test --token --timeout)
    __tgpt-ws-bridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--test')
        return
        ;;
    '--token')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_tgpt-ws-bridge_bench() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--sessions --messages --words --token --timeout --idle --hold)
    __tgpt-ws-bridge_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--sessions')
        return
        ;;
    '--messages')
        return
        ;;
    '--words')
        return
        ;;
    '--token')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idle')
        return
        ;;
    '--hold')
        return
        ;;
    esac
}

_tgpt-ws-bridge_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __tgpt-ws-bridge_offer_flags_options -1
}

complete -o filenames -F _tgpt-ws-bridge tgpt-ws-bridge
