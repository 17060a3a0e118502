"""The indexer: from source documents to a Whoosh index generation the query layer can open.

Stages, each in its own place:

- `index.corpus`: reading source documents (seed lists, CSV/JSONL tables) into `Record`s;
- `index.analysis` (with `dictionaries`, `distance`, `text`): what text becomes for matching,
  shared with the query layer; `readings` and `vocab` are its index-time halves (pypinyin, jieba);
- `index.prepare`, `index.record_terms`, `index.schema`, `index.build`: a record's stored
  document and Whoosh field values, and writing a generation;
- `index.store`, `index.ensure`: where generations live, and building one when it is missing
  or stale;
- `index.format`: the contract with the query layer (field names, stored document, lexicon).

The query layer (`search`) imports only `format`, `analysis`, `dictionaries`, `distance`,
`text`, `errors`, `store` and `ensure`: standard library and Whoosh. jieba and pypinyin are
imported only inside the functions that build an index.
"""
