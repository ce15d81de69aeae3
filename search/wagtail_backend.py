"""Wagtail's own (admin) search on Elasticsearch 8, with Chinese analysis.

modelsearch's Elasticsearch 8 backend analyses text with the `standard` analyzer, which splits
Chinese into single characters (so "法律顾问" would match anything containing 法), and defines
its autocomplete analyzers with `ngram`/`edge_ngram` filters from the `analysis-common` module.
This backend keeps modelsearch's mappings and queries but makes Chinese bigrams the default
analysis and rebuilds the autocomplete analyzer from server-core components only (the same
`standard` + `shingle` chain as the public index, search/es.py), so it runs on any
Elasticsearch 8 distribution, including the integration-test one the test suite uses.

Selected in settings when ELASTICSEARCH_URL is set: BACKEND = "search.wagtail_backend".
"""

from __future__ import annotations

from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend

BIGRAMS = {
    "type": "shingle",
    "min_shingle_size": 2,
    "max_shingle_size": 2,
    "output_unigrams": False,
    "output_unigrams_if_no_shingles": True,
    "token_separator": "",
}
# Autocomplete: single characters and bigrams, so that a partly typed word already matches.
PARTIAL = {**BIGRAMS, "output_unigrams": True}


class ChineseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
    settings = {
        "settings": {
            "analysis": {
                "filter": {"portal_bigrams": BIGRAMS, "portal_partial": PARTIAL},
                "analyzer": {
                    # Every text field without an explicit analyzer, at index and search time.
                    "default": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_bigrams"],
                    },
                    # modelsearch maps AutocompleteField and `_edgengrams` to these two names.
                    "edgengram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_partial"],
                    },
                    "ngram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_partial"],
                    },
                },
            },
        }
    }


SearchBackend = ChineseElasticsearch8SearchBackend
