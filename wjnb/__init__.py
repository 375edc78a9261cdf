"""wjnb: AI image generation from Jupyter against the Wujie open API and Midjourney proxies."""

from .client import AsyncClient as AsyncClient
from .client import Client as Client
from .config import Config as Config
from .config import Secret as Secret
from .http import RetryPolicy as RetryPolicy

__version__ = "0.1.0"
