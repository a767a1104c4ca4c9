from tests.forecasting.support import linked

__all__ = ["linked"]
