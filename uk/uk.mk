# uk/uk.mk - rules for the uk library OS and its apps (owned by the uk work).
uk:
