# Fixture written for licheck tests; indexed with no license information.


def tally_by_key(records, key_name, value_name):
    """Sum a numeric field of dict records, grouped by another field."""
    totals = {}
    order = []
    for record in records:
        key = record.get(key_name)
        if key is None:
            # records without the grouping key are counted under a placeholder
            key = "<missing>"
        if key not in totals:
            order.append(key)
            totals[key] = 0
        totals[key] += float(record.get(value_name, 0) or 0)
    return [(key, totals[key]) for key in order]
