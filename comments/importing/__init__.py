"""Bringing discussions from WordPress (WXR) and Disqus exports into Newsroom.

`xml.py` parses safely and in constant memory, `wordpress.py` and `disqus.py` turn each
export into `Thread` and `Entry` records (`records.py`), `loader.py` stores them in
batches, `authors.py` decides who each comment belongs to, and the management command
`import_comments` runs it all. How to use it: docs/comments.md, "Importing comments".
"""
