"""The extractor's version, stored with what it judged so an improved parser can look again.

Bump PARSER_VERSION whenever a change to parsing can change what comes out of a message (new
vocabulary, rules, money or date reading). `fincoach reparse` then re-fetches and re-extracts
exactly the messages judged by an older version: the ones that gave transactions and the ones
that had an amount but gave none (sync/reparse.py). Version 0 stands for "before versions were
recorded".
"""

# 1: the English and Spanish/Portuguese extractor; 2: money and languages of the world (issue 11)
PARSER_VERSION = 2
