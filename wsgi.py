from quarantine import create_app

app = create_app()
