"""tourmap: news articles about a leader's trip -> an embeddable map.

Stages, each a module: article -> mentions -> tour -> geocode -> geometry -> render -> site.
"""
__version__ = "0.1.0"
