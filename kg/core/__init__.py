"""Foundations every step uses: errors, escaping, namespaces, the triple table, budgets, the
project and safe writing.
"""
