"""The data a browser would post back from an admin change form, for tests to edit."""


def _field_data(form) -> dict:
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [v for v in value if v not in (None, "")]
        data[bound.html_name] = value
    return data


def admin_form_data(response, **changes) -> dict:
    """The main form and every inline formset of an admin add/change page, with
    ``changes`` (by field name) applied."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(_field_data(form))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
