"""Publishing: safe builds swapped in atomically, the archives keepers deploy (`build`), and the
step that makes the built site run under a strict Content-Security-Policy (`csp`)."""
