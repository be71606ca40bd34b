from kg.models import Quantity
def item_details(title, rationale, offset, raw):
    return {"quantity": Quantity()}
