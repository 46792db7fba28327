"""Which language a file is in, and the tree-sitter grammar and node kinds that describe it.

Grammars come from the official per-language wheels (compiled, offline) and load lazily on first use.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath
from typing import Any

COMMENT_KINDS = frozenset({"comment", "line_comment", "block_comment", "doc_comment"})
STRING_KINDS = frozenset(
    {
        "string", "string_literal", "template_string", "interpreted_string_literal", "raw_string_literal",
        "char_literal", "character_literal", "verbatim_string_literal", "encapsed_string", "heredoc",
        "concatenated_string", "string_value", "interpolated_string_expression", "raw_string",
        "text_block", "rune_literal", "nowdoc", "subshell",
    }
)
NUMBER_KINDS = frozenset(
    {
        "integer", "float", "number", "integer_literal", "float_literal", "decimal_integer_literal",
        "decimal_floating_point_literal", "hex_integer_literal", "octal_integer_literal", "binary_integer_literal",
        "number_literal", "int_literal", "imaginary_literal", "real_literal",
    }
)
IDENTIFIER_KINDS = frozenset({"identifier", "name", "simple_identifier", "shorthand_property_identifier",
                              "shorthand_property_identifier_pattern", "variable_name", "instance_variable"})
# identifiers that name an API rather than a local: kept (lower-cased) in the structural stream
KEPT_IDENTIFIER_KINDS = frozenset({"property_identifier", "field_identifier", "type_identifier", "primitive_type",
                                   "predefined_type", "integral_type", "floating_point_type", "constant",
                                   "namespace_identifier", "package_identifier", "boolean_type", "void_type"})
KEPT_FIELDS = frozenset({"attribute", "property", "field", "method"})
IMPORT_KINDS = frozenset({"import_statement", "import_from_statement", "future_import_statement", "import_declaration",
                          "preproc_include", "use_declaration", "using_directive", "namespace_use_declaration",
                          "package_clause", "package_declaration"})


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    module: str
    function: str = "language"
    extensions: tuple[str, ...] = ()
    function_kinds: frozenset[str] = field(default_factory=frozenset)
    class_kinds: frozenset[str] = field(default_factory=frozenset)
    docstrings: bool = False  # a bare string statement at the top of a body is documentation


def _fs(*kinds: str) -> frozenset[str]:
    return frozenset(kinds)


_JS_FUNCS = _fs("function_declaration", "function_expression", "function", "generator_function_declaration",
                "method_definition", "arrow_function")
_JS_CLASSES = _fs("class_declaration", "class", "abstract_class_declaration", "interface_declaration")

LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec("python", "tree_sitter_python", extensions=(".py", ".pyi", ".pyw"),
                     function_kinds=_fs("function_definition"), class_kinds=_fs("class_definition"), docstrings=True),
        LanguageSpec("javascript", "tree_sitter_javascript", extensions=(".js", ".mjs", ".cjs", ".jsx"),
                     function_kinds=_JS_FUNCS, class_kinds=_JS_CLASSES),
        LanguageSpec("typescript", "tree_sitter_typescript", "language_typescript", extensions=(".ts", ".mts", ".cts"),
                     function_kinds=_JS_FUNCS, class_kinds=_JS_CLASSES),
        LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", extensions=(".tsx",),
                     function_kinds=_JS_FUNCS, class_kinds=_JS_CLASSES),
        LanguageSpec("java", "tree_sitter_java", extensions=(".java",),
                     function_kinds=_fs("method_declaration", "constructor_declaration"),
                     class_kinds=_fs("class_declaration", "interface_declaration", "enum_declaration")),
        LanguageSpec("c", "tree_sitter_c", extensions=(".c", ".h"), function_kinds=_fs("function_definition"),
                     class_kinds=_fs("struct_specifier")),
        LanguageSpec("cpp", "tree_sitter_cpp", extensions=(".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp"),
                     function_kinds=_fs("function_definition", "lambda_expression"),
                     class_kinds=_fs("class_specifier", "struct_specifier")),
        LanguageSpec("go", "tree_sitter_go", extensions=(".go",),
                     function_kinds=_fs("function_declaration", "method_declaration", "func_literal"),
                     class_kinds=_fs("type_declaration")),
        LanguageSpec("rust", "tree_sitter_rust", extensions=(".rs",), function_kinds=_fs("function_item", "closure_expression"),
                     class_kinds=_fs("impl_item", "struct_item", "trait_item", "enum_item")),
        LanguageSpec("csharp", "tree_sitter_c_sharp", extensions=(".cs",),
                     function_kinds=_fs("method_declaration", "constructor_declaration", "local_function_statement"),
                     class_kinds=_fs("class_declaration", "struct_declaration", "interface_declaration")),
        LanguageSpec("ruby", "tree_sitter_ruby", extensions=(".rb", ".rake", ".gemspec"),
                     function_kinds=_fs("method", "singleton_method"), class_kinds=_fs("class", "module")),
        LanguageSpec("php", "tree_sitter_php", "language_php", extensions=(".php", ".phtml"),
                     function_kinds=_fs("function_definition", "method_declaration"),
                     class_kinds=_fs("class_declaration", "interface_declaration", "trait_declaration")),
    )
}

_BY_EXTENSION = {ext: spec for spec in LANGUAGES.values() for ext in spec.extensions}
_SHEBANG_NAMES = {"python": "python", "node": "javascript", "nodejs": "javascript", "deno": "typescript",
                  "ruby": "ruby", "php": "php"}

# Text files we tokenize lexically when no grammar applies.
LEXICAL_EXTENSIONS = frozenset({".kt", ".kts", ".scala", ".swift", ".m", ".mm", ".pl", ".pm", ".lua", ".r", ".jl",
                                ".sh", ".bash", ".zsh", ".dart", ".groovy", ".hs", ".ml", ".ex", ".exs", ".erl",
                                ".clj", ".vue", ".svelte", ".sql", ".f90", ".pas", ".cob", ".vb", ".zig", ".nim"})


def language_for(path: str | PurePath, head: bytes = b"") -> LanguageSpec | None:
    """The grammar for a file, from its extension, else its shebang line; None means lexical fallback."""
    suffix = PurePath(path).suffix.lower()
    spec = _BY_EXTENSION.get(suffix)
    if spec is not None:
        return spec
    if head.startswith(b"#!"):
        name = _SHEBANG_NAMES.get(_interpreter(head.split(b"\n", 1)[0][2:].decode("ascii", "replace")))
        if name:
            return LANGUAGES[name]
    return None


def _interpreter(command: str) -> str:
    """'/usr/bin/env -S python3.11 -u' → 'python'."""
    words = command.split()
    if words and words[0].rsplit("/", 1)[-1] == "env":
        words = [w for w in words[1:] if not w.startswith("-")]
    if not words:
        return ""
    return re.sub(r"[\d.]+$", "", words[0].rsplit("/", 1)[-1])


def is_code_path(path: str | PurePath, head: bytes = b"") -> bool:
    """True when a file is worth indexing: a known grammar or a text source we tokenize lexically."""
    return language_for(path, head) is not None or PurePath(path).suffix.lower() in LEXICAL_EXTENSIONS


@cache
def parser_for(name: str) -> Any:
    """A tree-sitter parser for a language, loading its grammar wheel on first use."""
    import tree_sitter

    spec = LANGUAGES[name]
    module = importlib.import_module(spec.module)
    language = tree_sitter.Language(getattr(module, spec.function)())
    return tree_sitter.Parser(language)
