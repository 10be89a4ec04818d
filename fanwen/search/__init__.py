"""Site search: the n-gram index written after the build (`index`), read in the browser by
fanwen/search/search-worker.js."""
