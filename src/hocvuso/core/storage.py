from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; unhashed names before collectstatic.

    ``manifest_strict = False`` lets tests and a fresh checkout render pages
    before ``collectstatic`` has run, instead of failing with a 500.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name
