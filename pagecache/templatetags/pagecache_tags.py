"""``{% fragment name tags vary… %}…{% endfragment %}``: a part of a page kept in the shared cache.

``name`` is a literal or variable naming the part, ``tags`` a list of page-cache tags of what it
shows (from the view's context), and any further values are added to the key (e.g. the page's id).
The body renders only on a miss, so the querysets it iterates must be lazy — handed to the
template unevaluated — for a hit to skip their queries. See `pagecache/fragments.py`.
"""

from __future__ import annotations

from django import template

from pagecache import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, tags, vary):
        self.nodelist = nodelist
        self.name = name
        self.tags = tags
        self.vary = vary

    def render(self, context) -> str:
        tags = self.tags.resolve(context) or ()
        if isinstance(tags, str):
            tags = [tags]
        return fragments.render(
            context.get("request"),
            str(self.name.resolve(context)),
            tags,
            lambda: self.nodelist.render(context),
            [value.resolve(context) for value in self.vary],
        )


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a name and a list of tags")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
    )
