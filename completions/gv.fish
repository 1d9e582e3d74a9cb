complete --keep-order --exclusive --command gv --arguments "(GV_COMPLETE=fish gv -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
