
#compdef sessionpack

_sessionpack_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _SESSIONPACK_COMPLETE=complete_zsh sessionpack)
}

compdef _sessionpack_completion sessionpack

