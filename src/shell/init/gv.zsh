# gv shell integration for zsh: add  eval "$(gv init zsh)"  to ~/.zshrc
# Safe to source twice; switches on every directory change (chpwd), not only at prompts.
typeset -g __GV_EXE=@@GV@@
typeset -g __GV_HOOK=@@HOOK@@

# The GOBIN shared by every Go version (tools from `go install`), then the shims before it.
if [ -n @@GOBIN@@ ]; then
  case ":${PATH-}:" in
    *:@@GOBIN@@:*) ;;
    *) export PATH=@@GOBIN@@${PATH:+:$PATH} ;;
  esac
fi
case ":${PATH-}:" in
  *:@@SHIMS@@:*) ;;
  *) export PATH=@@SHIMS@@${PATH:+:$PATH} ;;
esac

# Undo what the last hook applied. Builtins only. A variable is put back only while it
# still holds gv's value: a change made by hand since then wins.
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

__gv_path() {
  export __GV_PATH=$1 PATH="$1${PATH:+:$PATH}"
}

# Restore, then apply the environment of $PWD: exactly one gv process.
__gv_hook() {
  local __gv_code
  __gv_restore
  __gv_code=$("$__GV_HOOK" hook-env --shell zsh) && eval "$__gv_code"
  typeset -g __GV_PWD=$PWD
}

__gv_chpwd() {
  [[ ${__GV_PWD-} == "$PWD" ]] || __gv_hook
}

# At a prompt: a string comparison when nothing changed, no process at all. Catches the
# first prompt of the shell.
__gv_precmd() {
  [[ ${__GV_PWD-} == "$PWD" ]] || __gv_hook
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
    local | global | install | uninstall | prune | import)
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
