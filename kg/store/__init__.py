"""The build directory and the embedded store: graph files written (graphfiles, export), read
back (built: the one reader of build/), and loaded into Oxigraph (oxigraph).
"""
