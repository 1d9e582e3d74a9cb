# gv shell integration for zsh: add  eval "$(gv init zsh)"  to ~/.zshrc
# Safe to source twice; switches on every directory change (chpwd), not only at prompts.
typeset -g __GV_EXE=@@GV@@
typeset -g __GV_HOOK=@@HOOK@@
# This shell's stamp: each hook run dates it, and a prompt compares watched files with it.
typeset -g __GV_STAMP_FILE=@@STAMPS@@/$$
typeset -ga __GV_WATCH __GV_WATCH_ABSENT

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

# Undo what the last hook applied. Builtins only. A variable is put back only while it
# still holds gv's value: a change made by hand since then wins. (__GV_PATH is an SDK's
# bin/ that an earlier gv's hook put on PATH, removed from shells it started.)
__gv_restore() {
  emulate -L zsh
  local v n o p
  for v in ${=__GV_VARS-}; do
    n=__GV_N_$v
    o=__GV_O_$v
    if [[ -v $v && ${(P)v} == "${(P)n-}" ]]; then
      if [[ -v $o ]]; then
        export "$v=${(P)o}"
      else
        unset "$v"
      fi
    fi
    unset "$n" "$o"
  done
  unset __GV_VARS
  if [[ -n ${__GV_PATH-} ]]; then
    p=":${PATH-}:"
    p=${p/":$__GV_PATH:"/:}
    p=${p#:}
    export PATH=${p%:}
    unset __GV_PATH
  fi
}

# Called by `gv hook-env` output: set NAME=VALUE, remembering the user's value.
__gv_set() {
  emulate -L zsh
  if [[ -v $1 ]]; then
    export "__GV_O_$1=${(P)1}"
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
  __gv_code=$(__GV_STAMP=$__GV_STAMP_FILE "$__GV_HOOK" hook-env --shell zsh) && eval "$__gv_code"
  typeset -g __GV_PWD=$PWD
}

# Was a watched file edited, removed or created since the last hook run? Builtins only.
__gv_stale() {
  emulate -L zsh
  local f
  for f in $__GV_WATCH; do
    [[ -e $f && ! $f -nt $__GV_STAMP_FILE ]] || return 0
  done
  for f in $__GV_WATCH_ABSENT; do
    [[ ! -e $f ]] || return 0
  done
  return 1
}

__gv_chpwd() {
  [[ ${__GV_PWD-} == "$PWD" ]] || __gv_hook
}

# At a prompt: when neither the directory nor a watched file changed, a string comparison
# and a few file tests, no process at all. Catches the first prompt of the shell.
__gv_precmd() {
  if [[ ${__GV_PWD-} != "$PWD" ]] || __gv_stale; then
    __gv_hook
  fi
}

gv() {
  local __gv_status __gv_code
  case ${1-} in
    shell)
      if (( $# > 1 )); then
        __gv_code=$("$__GV_EXE" shell --shell zsh "${@:2}") || return
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

autoload -Uz add-zsh-hook
add-zsh-hook chpwd __gv_chpwd
add-zsh-hook precmd __gv_precmd
