"""The build's data flow: load → validate → reason → exposures → coverage → store, and the build
that runs them.
"""
