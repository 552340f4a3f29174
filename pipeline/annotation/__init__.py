"""Off the runtime path: the gold format (``gold``), Label Studio and doccano converters,
importing annotations and suggesting measures to annotate. ``extract`` never imports it.
"""
