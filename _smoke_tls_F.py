import asyncio, msal, traceback
from tests.fakes.fake_login import FakeLogin
async def main():
    l = FakeLogin("t", "c", client_secret="s")
    await l.start()
    def go():
        try:
            app = msal.ConfidentialClientApplication("c", client_credential="s", authority=l.base_url+"/t", validate_authority=False, instance_discovery=False, verify=str(l.ca_path), timeout=5)
            print(app.acquire_token_for_client(scopes=["http://x/.default"]))
        except Exception as e:
            traceback.print_exc()
    await asyncio.to_thread(go)
    await l.stop()
asyncio.run(main())
