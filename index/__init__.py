"""The indexer: seed parsing, normalisation, analysis, the Whoosh schema and the build.

Heavy dependencies (jieba, pypinyin) are imported only inside the functions that build an
index, never at package import, so that the query layer can import `index.text`,
`index.records` and `index.errors` for free.
"""
