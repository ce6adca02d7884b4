package io.lapse.launcher;

import java.nio.file.Path;

/**
 * The copy-paste walk-through {@code ./lapse up} prints once everything is ready. It shows where
 * the credentials are, never the token itself: the console of a run may well end up in a log. The
 * access token of step 9 is printed only when the reader runs that line.
 */
final class Walkthrough {
  private Walkthrough() {}

  static String text(String api, LocalSettings s, String bootstrap, Path home) {
    return """
        Lapse is up.
          API          %1$s   (Twilio Verify v2 paths: %1$s/v2/Services)
          Account SID  %2$s
          Auth token   in %3$s (ACCOUNT_SID:AUTH_TOKEN, readable by you only)
          Kafka        %4$s   (topics: challenge-created, challenge-expired, ...)
          Authenticator %1$s/authenticator/   (a push factor in your browser: steps 9 and 10)

        Walk-through with curl (paste into a second terminal, from this directory):

          LAPSE=%1$s; AUTH=$(cat '%3$s'); ID=demo-user-0001
          field() { sed -n "s/.*\\"$1\\": *\\"\\([^\\"]*\\)\\".*/\\1/p"; }

          # 1. a Verify Service
          SERVICE=$(curl -s -u "$AUTH" "$LAPSE/v2/Services" -d FriendlyName=Demo | field sid); echo $SERVICE

          # 2. a TOTP factor for an entity (the entity is created with it); keep its secret in the shell
          FACTOR_JSON=$(curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Factors" \\
               -d FriendlyName=Phone -d FactorType=totp)
          FACTOR=$(echo "$FACTOR_JSON" | field sid); SECRET=$(echo "$FACTOR_JSON" | field secret)

          # 3. verify the factor with the current code (./lapse totp plays the authenticator app)
          curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Factors/$FACTOR" \\
               -d AuthPayload=$(./lapse totp $SECRET); echo

          # 4. a challenge that expires in 10 seconds (GNU date, else BSD/macOS date)
          EXP=$(date -u -d '+10 seconds' +%%Y-%%m-%%dT%%H:%%M:%%SZ 2>/dev/null || date -u -v+10S +%%Y-%%m-%%dT%%H:%%M:%%SZ)
          CHALLENGE=$(curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Challenges" \\
               -d FactorSid=$FACTOR -d ExpirationDate=$EXP | field sid); echo $CHALLENGE

          # 5. wait past the deadline, then verify: 403 with code 60323 "Challenge expired"
          sleep 11
          curl -s -w ' HTTP %%{http_code}\\n' -u "$AUTH" \\
               "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Challenges/$CHALLENGE" -d AuthPayload=$(./lapse totp $SECRET)

          # 6. read it back: "status":"expired"
          curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Challenges/$CHALLENGE"; echo

          # 7. the ChallengeExpired event on Kafka (read_committed, decoded through the registry)
          ./lapse events challenge-expired

          # 8. the challenge's whole story across the topics, and the system's state
          ./lapse timeline $CHALLENGE
          ./lapse status

          # 9. push, with the browser as the phone: open %1$s/authenticator/ and paste the token this prints
          curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/AccessTokens" -d Identity=$ID -d FactorType=push -d Ttl=300 | field token

          # 10. a push challenge for the factor SID the page shows (YF...); approve or deny it on the page
          PUSH=YF...   # <- the SID from the page
          curl -s -u "$AUTH" "$LAPSE/v2/Services/$SERVICE/Entities/$ID/Challenges" \\
               -d FactorSid=$PUSH -d 'Details.Message=Sign in to the demo?'; echo

        The same with Twilio's own Java SDK (only its HTTP client's base URL changes):
          ./lapse sdk-demo
        """
        .formatted(api, s.accountSid(), LocalSettings.credentialsFile(home), bootstrap);
  }
}
