
set edit:completion:arg-completer[gv] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) GV_COMPLETE="elvish" gv -- $@words) | to-lines
}

