# bash completion for pproftop(1).
# The options are read from `pproftop --help` (the one option table), so
# they never drift; installed by meson under
# share/bash-completion/completions/pproftop.

_pproftop() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	case $prev in
	--open)
		# a profile file or a snapshot directory
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--base | --targets | --cacert | --cert | --key)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	-o | --snapshot-dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-H | --header)
		# -H @FILE reads the headers from FILE
		if [[ $cur == @* ]]; then
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -P @ -f -- "${cur#@}")
		fi
		return
		;;
	--name)
		# the endpoint names pproftop knows (src/core/kinds.c)
		mapfile -t COMPREPLY < <(compgen -W 'goroutine goroutineleak heap allocs block
			mutex threadcreate cpu' -- "$cur")
		return
		;;
	--mutex-scaled)
		mapfile -t COMPREPLY < <(compgen -W 'yes no' -- "$cur")
		return
		;;
	-i | --interval | -n | --count | --rows | --timeout | --max-body | --window | \
		--budget | --max-inflight)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		local opts
		opts=$("${COMP_WORDS[0]}" --help 2>/dev/null |
			grep -oE '(^|[ ,])--?[a-zA-Z][a-z-]*' | tr -d ' ,' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	fi
}
complete -F _pproftop pproftop
