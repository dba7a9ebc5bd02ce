// Makes js_emoji_counts.json: what official twitter-text 3.1.0 (JS) counts for crosspost's own
// emoji cases and for every emoji-test.txt sequence twitter-text-parser counts differently.
// npm install twitter-text@3.1.0; seqs.json: the emoji-test.txt sequences; pycounts.json:
// twitter-text-parser's weightedLength of each. Run: node js_emoji_counts.js
const tt=require('twitter-text');const fs=require('fs');
const seqs=JSON.parse(fs.readFileSync('seqs.json','utf8'));
const own=["🧑🏿‍🤝‍🧑🏻","👁️‍🗨️","👩🏻‍🤝‍👨🏿","👨🏽‍❤️‍💋‍👨🏻","🧑🏼‍🦰","🧑‍🤝‍🧑","👩🏾‍👩🏾‍👧🏾","🫱🏻‍🫲🏿","🧔🏻‍♀️","😶‍🌫️","❤️‍🔥","🐻‍❄️","🏳️‍⚧️","🇻🇳","1️⃣","#️⃣","\ufe0f","a\u200db","Đại hội 🧑🏿‍🤝‍🧑🏻 Đảng https://tapchicongsan.org.vn/a 👁️‍🗨️!","🧑🏿‍🤝‍🧑🏻".repeat(35),"🧑🏿‍🤝‍🧑🏻".repeat(36),"x".repeat(272)+"🧑🏿‍🤝‍🧑🏻","x".repeat(273)+"🧑🏿‍🤝‍🧑🏻","👍🏽👍🏿👋🏻","©®™","ạ🤝ạ"];
const py=JSON.parse(fs.readFileSync('pycounts.json','utf8'));
const pick=seqs.filter((s,i)=>py[i]!==tt.parseTweet(s).weightedLength);
const out=[...own,...pick].map(s=>{const r=tt.parseTweet(s);return {text:s,weightedLength:r.weightedLength,valid:r.valid}});
fs.writeFileSync('js_emoji_counts.json',JSON.stringify({source:"twitter-text 3.1.0 (npm), parseTweet with its default (v3) config; made by js_emoji_counts.js (node, npm install twitter-text@3.1.0)",cases:out},null,1));
console.log(own.length,pick.length);
