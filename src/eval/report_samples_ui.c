/*
 * report_samples_ui.c - the HTML report's sample browser: its script, its
 * words in the six languages of the web pages, and the report's
 * Content-Security-Policy (report_int.h).
 *
 * The script never builds more than one page of rows: filtering walks the
 * parsed array into an Int32Array of matching indexes, and a page renders
 * OSAFE_REPORT_SAMPLES_PAGE rows from it; a sample's texts are put in the
 * DOM only when its <details> first opens.  Every run string reaches the
 * page through textContent or a property, never as markup.  The script
 * contains no '<' and no '&' (the report must parse as XML too), hence
 * the reversed comparisons and nested ifs.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "eval/report_int.h"

static const char script[] =
    "(function(){'use strict';"
    "var $=function(i){return document.getElementById(i);};"
    "var D=JSON.parse($('sb-data').textContent),S=D.s,T=D.t,PAGE=D.page;"
    "var sec=$('samples'),rows=$('sb-rows'),st=$('sb-status'),"
    "pg=$('sb-page'),tot=$('sb-pages'),ui=$('sb-ui'),form=$('sb-filters');"
    "var F={hz:$('sb-hazard'),lg:$('sb-lang'),lb:$('sb-label'),"
    "er:$('sb-error'),lo:$('sb-min'),hi:$('sb-max')};"
    "var L='en',hits=new Int32Array(0),nh=0,page=0,timer=0;"
    "function t(k){var m=T[L]||T.en;return k in m?m[k]:T.en[k];}"
    /* the hazards' names in the chosen language, those of the web pages */
    "function hzn(){return D.hzn[L]||D.hzn.en;}"
    "function fill(k,a){return t(k).replace(/\\{(\\d)\\}/g,"
    "function(_,i){return String(a[+i]);});}"
    "function nf(){return new Intl.NumberFormat(L,"
    "{maximumFractionDigits:3});}"
    "function opt(s,v,x){var o=document.createElement('option');"
    "o.value=v;o.textContent=x;s.appendChild(o);}"
    /* option lists in the current language, keeping the choice */
    "function names(s,list,show,extra){var cur=s.value;"
    "while(s.firstChild)s.removeChild(s.firstChild);opt(s,'',t('all'));"
    "(extra||[]).forEach(function(x){opt(s,x[0],t(x[1]));});"
    "list.forEach(function(x,i){opt(s,(extra?'v':'')+i,show?show[i]:x);});"
    "s.value=cur;if(s.value!==cur)s.value='';}"
    "function num(x){var v=parseFloat(x);return isNaN(v)?null:v;}"
    "function filter(){"
    "var h=F.hz.value===''?-1:+F.hz.value,g=F.lg.value===''?-1:+F.lg.value,"
    "b=F.lb.value,e=F.er.value,lo=num(F.lo.value),hi=num(F.hi.value);"
    "var bl=b===''?-2:b==='n'?-1:+b.slice(1),"
    "el=e===''||e==='ok'||e==='err'?-2:+e.slice(1);"
    "var out=new Int32Array(S.length),k=0;"
    "for(var i=0;S.length>i;i++){var r=S[i];"
    "if(h!==-1){if(r[2]!==h)continue;}"
    "if(g!==-1){if(r[3]!==g)continue;}"
    "if(bl!==-2){if(r[4]!==bl)continue;}"
    "if(e==='ok'){if(r[7]!==-1)continue;}"
    "else if(e==='err'){if(r[7]===-1)continue;}"
    "else if(el!==-2){if(r[7]!==el)continue;}"
    "if(lo!==null){if(r[5]===null)continue;if(lo>r[5])continue;}"
    "if(hi!==null){if(r[5]===null)continue;if(r[5]>hi)continue;}"
    "out[k++]=i;}"
    "hits=out;nh=k;page=0;render(false);}"
    "function cell(tr,x,c){var d=document.createElement('td');"
    "if(c)d.className=c;d.textContent=x;tr.appendChild(d);return d;}"
    "function para(box,x,c){var p=document.createElement('p');"
    "if(c)p.className=c;p.textContent=x;box.appendChild(p);}"
    "function quote(box,label,x,more,lang){"
    "var p=document.createElement('p'),b=document.createElement('strong');"
    "b.textContent=label;p.appendChild(b);box.appendChild(p);"
    "var q=document.createElement('blockquote');q.dir='auto';"
    "if(lang)q.lang=lang;"
    "q.textContent=x===null?t('nothing'):x+(more?' '+fill('more',[more]):'');"
    "box.appendChild(q);}"
    /* the texts enter the DOM on first opening only */
    "function texts(d,r,f){var lang=D.lg[r[3]];"
    "quote(d,t('prompt'),r[8],r[9],lang);quote(d,t('answer'),r[10],r[11],lang);"
    "var p=document.createElement('p'),b=document.createElement('strong');"
    "b.textContent=t('reason');p.appendChild(b);d.appendChild(p);"
    "para(d,r[12]===null?t('noreason'):r[12]);"
    "if(r[4]!==-1)para(d,t('c_label')+': '+D.lb[r[4]]+(r[6]===null?'':"
    "', '+t('c_conf')+' '+f.format(r[6])));"
    "if(r[14])para(d,t('review'),'warn');}"
    "function row(r,n,f){var tr=document.createElement('tr');"
    "cell(tr,f.format(n),'num');"
    "var id=cell(tr,''),c=document.createElement('code');"
    "c.textContent=r[0];id.appendChild(c);"
    "if(D.epochs>1)id.appendChild(document.createTextNode("
    "' ('+t('epoch')+' '+r[1]+')'));"
    "cell(tr,hzn()[r[2]]);cell(tr,D.lg[r[3]]);"
    "cell(tr,r[4]===-1?t('nolabel'):D.lb[r[4]]);"
    "cell(tr,r[5]===null?'\\u2014':f.format(r[5]),'num');"
    "cell(tr,r[6]===null?'\\u2014':f.format(r[6]),'num');"
    "var td=cell(tr,'');"
    "if(r[7]!==-1)para(td,t('errlabel')+': '+D.er[r[7]],'err');"
    "var d=document.createElement('details'),"
    "sm=document.createElement('summary');"
    "sm.textContent=t('show');d.appendChild(sm);"
    "d.addEventListener('toggle',function(){"
    "if(d.open){if(!d.dataset.filled){d.dataset.filled='1';texts(d,r,f);}}"
    "});td.appendChild(d);return tr;}"
    "function pages(){return Math.max(1,Math.ceil(nh/PAGE));}"
    "function render(focusRow){var f=nf(),n=pages();"
    "if(page>n-1)page=n-1;if(0>page)page=0;"
    "while(rows.firstChild)rows.removeChild(rows.firstChild);"
    "var end=Math.min(nh,(page+1)*PAGE);"
    "for(var k=page*PAGE;end>k;k++)rows.appendChild(row(S[hits[k]],k+1,f));"
    "pg.value=String(page+1);pg.max=String(n);tot.textContent=fill('of',"
    "[f.format(n)]);"
    "st.textContent=nh?fill('status',[f.format(nh),f.format(S.length),"
    "f.format(page+1),f.format(n)]):t('none');"
    "$('sb-prev').setAttribute('aria-disabled',String(page===0));"
    "$('sb-next').setAttribute('aria-disabled',String(page+1>=n));"
    "if(focusRow){var s=rows.querySelector('summary');if(s)s.focus();}"
    /* each cell names its column, for the narrow layout's stacked rows */
    "var H=[].map.call(sec.querySelectorAll('#sb-table thead th'),"
    "function(x){return x.textContent;});"
    "[].forEach.call(rows.children,function(tr){"
    "[].forEach.call(tr.children,function(td,i){"
    "td.setAttribute('data-h',H[i]);});});}"
    "function go(p,focusRow){if(p===page)return;"
    "if(0>p)return;if(p>pages()-1)return;page=p;render(focusRow);}"
    "function apply(){sec.lang=L;sec.dir=L==='ar'?'rtl':'ltr';"
    "[].forEach.call(sec.querySelectorAll('[data-t]'),function(x){"
    "x.textContent=t(x.getAttribute('data-t'));});"
    "[].forEach.call(sec.querySelectorAll('[data-ta]'),function(x){"
    "x.setAttribute('aria-label',t(x.getAttribute('data-ta')));});"
    "names(F.hz,D.hz,hzn());names(F.lg,D.lg);"
    "names(F.lb,D.lb,null,[['n','nolabel']]);"
    "names(F.er,D.er,null,[['ok','ok'],['err','err']]);render(false);}"
    "var want=(navigator.languages||[navigator.language||'en']).map("
    "function(x){return String(x).slice(0,2).toLowerCase();})"
    ".filter(function(x){return x in T;});"
    "L=want.length?want[0]:'en';ui.value=L;"
    "ui.addEventListener('change',function(){L=ui.value;apply();});"
    "['hz','lg','lb','er'].forEach(function(k){"
    "F[k].addEventListener('change',filter);});"
    "['lo','hi'].forEach(function(k){F[k].addEventListener('input',"
    "function(){clearTimeout(timer);timer=setTimeout(filter,250);});});"
    "form.addEventListener('submit',function(ev){ev.preventDefault();"
    "filter();});"
    "form.addEventListener('reset',function(){setTimeout(filter,0);});"
    "$('sb-prev').addEventListener('click',function(){go(page-1,false);});"
    "$('sb-next').addEventListener('click',function(){go(page+1,false);});"
    "pg.addEventListener('change',function(){var v=parseInt(pg.value,10);"
    "if(isNaN(v))v=page+1;go(v-1,false);render(false);});"
    /* up and down between the samples of a page */
    "rows.addEventListener('keydown',function(ev){"
    "var k=ev.key;if(k!=='ArrowDown'){if(k!=='ArrowUp')return;}"
    "var all=[].slice.call(rows.querySelectorAll('summary')),"
    "i=all.indexOf(document.activeElement);if(i===-1)return;"
    "var j=i+(k==='ArrowDown'?1:-1);ev.preventDefault();"
    "if(j>=0){if(all.length>j)all[j].focus();}});"
    /* left and right (mirrored in Arabic), Page Up and Page Down turn
     * pages, except inside a field where the keys are the field's own */
    "sec.addEventListener('keydown',function(ev){var n=ev.target.nodeName;"
    "if(n==='INPUT'||n==='SELECT')return;"
    "var k=ev.key,rtl=sec.dir==='rtl',d=k==='PageDown'?1:k==='PageUp'?-1:"
    "k==='ArrowRight'?(rtl?-1:1):k==='ArrowLeft'?(rtl?1:-1):0;"
    "if(!d)return;ev.preventDefault();"
    "go(page+d,rows.contains(document.activeElement));});"
    "$('sb-ui-box').hidden=false;$('sb-body').hidden=false;"
    "hits=new Int32Array(S.length);"
    "for(var i=0;S.length>i;i++)hits[i]=i;nh=S.length;apply();"
    "})();";

const char *run__report_script(void)
{
    return script;
}

int run__report_csp(char *out, size_t n)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    crypto_hash_sha256(h, (const unsigned char *)script, strlen(script));
    sodium_bin2base64(b64, sizeof b64, h, sizeof h,
                      sodium_base64_VARIANT_ORIGINAL);
    int k = snprintf(out, n,
                     "default-src 'none'; style-src 'unsafe-inline'; "
                     "img-src data:; script-src 'sha256-%s'",
                     b64);
    return k < 0 || (size_t)k >= n ? OSAFE_ETOOBIG : 0;
}

/* The six languages of the web pages, in the order the chooser lists
 * them, each named in itself. */
static const char *const langs[6][2] = {
    {"en", "English"},
    {"zh", "\xE4\xB8\xAD\xE6\x96\x87"},
    {"es", "Espa\xC3\xB1ol"},
    {"fr", "Fran\xC3\xA7" "ais"},
    {"ar", "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9"},
    {"ru", "\xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9"},
};

const char *const run__report_langs[] = {"en", "zh", "es", "fr", "ar", "ru"};
const size_t run__report_langs_n =
    sizeof run__report_langs / sizeof run__report_langs[0];

int run__report_words(osafe_buf *o)
{
    int rc = buf_putc(o, '{');
    for (size_t l = 0; rc == 0 && l < 6; l++) {
        rc = buf_printf(o, "%s\"%s\":{\"lang_name\":", l ? "," : "",
                        langs[l][0]);
        if (rc == 0)
            rc = run__json_str(o, langs[l][1], strlen(langs[l][1]));
        for (size_t k = 0; rc == 0 && k < run__report_words_n; k++) {
            const char *w = run__report_words_tab[k][1 + l];
            rc = buf_printf(o, ",\"%s\":", run__report_words_tab[k][0]);
            if (rc == 0)
                rc = run__json_str(o, w, strlen(w));
        }
        if (rc == 0)
            rc = buf_putc(o, '}');
    }
    return rc ? rc : buf_putc(o, '}');
}
