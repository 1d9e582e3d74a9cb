# gv shell integration for bash: add  eval "$(gv init bash)"  to ~/.bashrc
# Safe to source twice, works under `set -u`, keeps an existing PROMPT_COMMAND.
__GV_EXE=@@GV@@
__GV_HOOK=@@HOOK@@
# This shell's stamp: each hook run dates it, and a prompt compares watched files with it.
__GV_STAMP_FILE=@@STAMPS@@/$$

# The GOBIN shared by every Go version (tools from `go install`), then the shims first
# of all (moved there when they were further down): every go and gofmt, typed or run by
# a script, make or an editor task, is a shim that picks its own directory's version.
if [ -n @@GOBIN@@ ]; then
  case ":${PATH-}:" in
    *:@@GOBIN@@:*) ;;
    *) export PATH=@@GOBIN@@${PATH:+:$PATH} ;;
  esac
fi
__gv_p=":${PATH-}:"
case $__gv_p in
  :@@SHIMS@@:*) ;;
  *)
    while :; do
      case $__gv_p in
        *:@@SHIMS@@:*) __gv_p=${__gv_p%%:@@SHIMS@@:*}:${__gv_p#*:@@SHIMS@@:} ;;
        *) break ;;
      esac
    done
    __gv_p=${__gv_p#:}
    __gv_p=${__gv_p%:}
    export PATH=@@SHIMS@@${__gv_p:+:$__gv_p}
    ;;
esac
unset __gv_p

@@NEEDS_BASH_4_4@@
# Undo what the last hook applied. Builtins only. A variable is put back only while it
# still holds gv's value: a change made by hand since then wins. (__GV_PATH is an SDK's
# bin/ that an earlier gv's hook put on PATH, removed from shells it started.)
__gv_restore() {
  local __gv_v __gv_n __gv_o __gv_p
  for __gv_v in ${__GV_VARS-}; do
    __gv_n=__GV_N_$__gv_v
    __gv_o=__GV_O_$__gv_v
    if [[ -v $__gv_v && ${!__gv_v} == "${!__gv_n-}" ]]; then
      if [[ -v $__gv_o ]]; then
        export "$__gv_v=${!__gv_o}"
      else
        unset "$__gv_v"
      fi
    fi
    unset "$__gv_n" "$__gv_o"
  done
  unset __GV_VARS
  if [[ -n ${__GV_PATH-} ]]; then
    __gv_p=":${PATH-}:"
    __gv_p=${__gv_p/":$__GV_PATH:"/:}
    __gv_p=${__gv_p#:}
    export PATH=${__gv_p%:}
    unset __GV_PATH
  fi
}

# Called by `gv hook-env` output: set NAME=VALUE, remembering the user's value.
__gv_set() {
  if [[ -v $1 ]]; then
    export "__GV_O_$1=${!1}"
  fi
  export "__GV_N_$1=$2" "$1=$2"
  export __GV_VARS="${__GV_VARS-} $1"
}

# Called by `gv hook-env` output: the files that decided (re-run once one is newer than
# the stamp, or gone) and the files that would take over (re-run once one appears).
__gv_watch() {
  __GV_WATCH=("$@")
}

__gv_watch_absent() {
  __GV_WATCH_ABSENT=("$@")
}

# Restore, then apply the environment of $PWD: exactly one gv process.
__gv_hook() {
  local __gv_code
  __gv_restore
  __GV_WATCH=() __GV_WATCH_ABSENT=()
  __gv_code=$(__GV_STAMP=$__GV_STAMP_FILE "$__GV_HOOK" hook-env --shell bash) && eval "$__gv_code"
  __GV_PWD=$PWD
}

# Was a watched file edited, removed or created since the last hook run? Builtins only.
__gv_stale() {
  local __gv_f
  for __gv_f in ${__GV_WATCH[@]+"${__GV_WATCH[@]}"}; do
    [[ -e $__gv_f && ! $__gv_f -nt $__GV_STAMP_FILE ]] || return 0
  done
  for __gv_f in ${__GV_WATCH_ABSENT[@]+"${__GV_WATCH_ABSENT[@]}"}; do
    [[ ! -e $__gv_f ]] || return 0
  done
  return 1
}

# The prompt hook: when neither the directory nor a watched file changed, a string
# comparison and a few file tests, no process at all.
__gv_prompt() {
  local __gv_status=$?
  if [[ ${__GV_PWD-} != "$PWD" ]] || __gv_stale; then
    __gv_hook
  fi
  return $__gv_status
}

gv() {
  local __gv_status __gv_code
  case ${1-} in
    shell)
      if [[ $# -gt 1 ]]; then
        __gv_code=$("$__GV_EXE" shell --shell bash "${@:2}") || return
        eval "$__gv_code"
        __gv_hook
        return 0
      fi
      ;;
    local | global | install | uninstall | prune | import | trust | untrust)
      "$__GV_EXE" "$@"
      __gv_status=$?
      __gv_hook
      return $__gv_status
      ;;
  esac
  "$__GV_EXE" "$@"
}

if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
  __gv_found=
  for __gv_e in "${PROMPT_COMMAND[@]}"; do
    [[ $__gv_e == __gv_prompt ]] && __gv_found=1
  done
  [[ -n $__gv_found ]] || PROMPT_COMMAND=(__gv_prompt "${PROMPT_COMMAND[@]}")
  unset __gv_found __gv_e
else
  case ";${PROMPT_COMMAND-};" in
    *";__gv_prompt;"*) ;;
    *) PROMPT_COMMAND="__gv_prompt${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
  esac
fi
