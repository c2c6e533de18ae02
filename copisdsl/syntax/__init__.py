"""Text -> AST: the tokenizer, the fast LALR loop over Lark's table, Lark
itself for syntax errors, the AST nodes and the transformer.

``copisdsl.syntax.parser.parse`` is the stage's one entry point.
"""
