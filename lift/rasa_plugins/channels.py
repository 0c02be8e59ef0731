"""The input channels ``credentials.yml`` names by class path; implemented in :mod:`lift.channels`."""
from lift.channels.messenger import LiftFacebookInput
from lift.channels.rest import LiftRestInput
from lift.channels.slack import LiftSlackInput
from lift.channels.webchat import LiftSocketIOInput

__all__ = ["LiftFacebookInput", "LiftRestInput", "LiftSlackInput", "LiftSocketIOInput"]
