"""The routes of administration the teaching PK model can draw, and why the others cannot.

Declared here, in the data layer, because both the notebook 08 parameter declarations
(``helpers.params``) and the model (``helpers.models.pk``) read them.
Educational only: a route listed here is not a recommendation.
"""

SIMULATED_ROUTES = ("IV", "IM", "intranasal", "oral", "sublingual", "rectal")
EXTRAVASCULAR_ROUTES = SIMULATED_ROUTES[1:]
# Routes the evidence table knows; the ones not simulated say why.
KNOWN_ROUTES = SIMULATED_ROUTES + ("epidural", "subcutaneous")
NOT_SIMULATED = {
    "epidural": "data/pk_parameters.csv has no absorption Tmax for it, so its curve cannot be drawn",
    "subcutaneous": "its bioavailability was never measured (value_status 'never measured')",
}
