"""wjnb: AI image generation from Jupyter against the Wujie open API and Midjourney proxies."""

__version__ = "0.1.0"
