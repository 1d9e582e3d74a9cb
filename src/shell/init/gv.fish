# gv shell integration for fish: add  gv init fish | source  to ~/.config/fish/config.fish
# Safe to source twice; switches on every change of $PWD, not only at prompts.
set -g __GV_EXE @@GV@@
set -g __GV_HOOK @@HOOK@@
# This shell's stamp: each hook run dates it, and a prompt compares watched files with it.
set -g __GV_STAMP_FILE @@STAMPS@@/$fish_pid

# The GOBIN shared by every Go version (tools from `go install`), then the shims first
# of all (moved there when they were further down): every go and gofmt, typed or run by
# a script, make or an editor task, is a shim that picks its own directory's version.
if test -n @@GOBIN@@; and not contains -- @@GOBIN@@ $PATH
    set -gx PATH @@GOBIN@@ $PATH
end
if test "$PATH[1]" != @@SHIMS@@
    while set -l i (contains -i -- @@SHIMS@@ $PATH)
        set -e PATH[$i]
    end
    set -gx PATH @@SHIMS@@ $PATH
end

# Undo what the last hook applied. Builtins only. A variable is put back only while it
# still holds gv's value: a change made by hand since then wins. (__GV_PATH is an SDK's
# bin/ that an earlier gv's hook put on PATH, removed from shells it started.)
function __gv_restore
    for v in (string split -n ' ' -- "$__GV_VARS")
        set -l n __GV_N_$v
        set -l o __GV_O_$v
        if set -q $v; and test "$$v" = "$$n"
            if set -q $o
                set -gx $v $$o
            else
                set -e $v
            end
        end
        set -e $n
        set -e $o
    end
    set -e __GV_VARS
    if set -q __GV_PATH; and test -n "$__GV_PATH"
        set -l i (contains -i -- $__GV_PATH $PATH)
        and set -e PATH[$i]
        set -e __GV_PATH
    end
end

# Called by `gv hook-env` output: set NAME=VALUE, remembering the user's value.
function __gv_set
    set -l name $argv[1]
    if set -q $name
        set -gx __GV_O_$name "$$name"
    end
    set -gx __GV_N_$name $argv[2]
    set -gx $name $argv[2]
    set -gx __GV_VARS "$__GV_VARS $name"
end

# Called by `gv hook-env` output: the files that decided (re-run once one is newer than
# the stamp, or gone) and the files that would take over (re-run once one appears).
function __gv_watch
    set -g __GV_WATCH $argv
end

function __gv_watch_absent
    set -g __GV_WATCH_ABSENT $argv
end

# Restore, then apply the environment of $PWD: exactly one gv process.
function __gv_hook
    __gv_restore
    set -g __GV_WATCH
    set -g __GV_WATCH_ABSENT
    __GV_STAMP=$__GV_STAMP_FILE $__GV_HOOK hook-env --shell fish | source
    set -g __GV_PWD $PWD
end

# Was a watched file edited, removed or created since the last hook run? Builtins only.
function __gv_stale
    for f in $__GV_WATCH
        test -e $f; and not test $f -nt $__GV_STAMP_FILE; or return 0
    end
    for f in $__GV_WATCH_ABSENT
        test -e $f; and return 0
    end
    return 1
end

function __gv_on_pwd --on-variable PWD
    test "$PWD" = "$__GV_PWD"; or __gv_hook
end

# At a prompt: when nothing changed, a few file tests and no process at all.
function __gv_on_prompt --on-event fish_prompt
    __gv_stale; and __gv_hook
end

function gv
    switch "$argv[1]"
        case shell
            if test (count $argv) -gt 1
                set -l code ($__GV_EXE shell --shell fish $argv[2..-1]); or return
                string join \n -- $code | source
                __gv_hook
                return 0
            end
        case local global install uninstall prune import trust untrust
            $__GV_EXE $argv
            set -l s $status
            __gv_hook
            return $s
    end
    $__GV_EXE $argv
end

test "$PWD" = "$__GV_PWD"; or __gv_hook
