# Fixture written for licheck tests; indexed under MIT.


def wrap_words(text, width=72, indent=""):
    """Greedy word wrap that keeps an indent on every produced line."""
    words = text.split()
    lines = []
    current = indent
    for word in words:
        # start a new line when the next word would overflow the width
        if len(current) + len(word) + 1 > width and current.strip():
            lines.append(current.rstrip())
            current = indent
        current += word + " "
    if current.strip():
        lines.append(current.rstrip())
    return "\n".join(lines)
